package com.ecommerce.eventhub.console;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through Debian's chromedriver: both paths are given, so
 * Selenium Manager never looks for (or downloads) a browser or a driver. A missing
 * package fails the test with what to install.
 */
final class ConsoleBrowser implements AutoCloseable {

	static final String CHROMIUM = "/usr/bin/chromium";

	static final String CHROMEDRIVER = "/usr/bin/chromedriver";

	static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

	private final ChromeDriver driver;

	private final String base;

	private ConsoleBrowser(ChromeDriver driver, String base) {
		this.driver = driver;
		this.base = base;
	}

	static ConsoleBrowser open(int port) {
		for (String binary : new String[] { CHROMIUM, CHROMEDRIVER }) {
			if (!new File(binary).canExecute()) {
				throw new IllegalStateException(binary + " is missing: install Debian's packages with "
						+ "`apt-get install -y chromium chromium-driver` (.ci/run does)");
			}
		}
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1440,1000", "--lang=en-US");
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
		return new ConsoleBrowser(driver, "http://127.0.0.1:" + port);
	}

	void get(String path) {
		this.driver.get(this.base + path);
	}

	/**
	 * Clicks what navigates (a link, a form's button) and waits for the next page, so
	 * nothing is read from the page that is being left.
	 * @param css the element
	 */
	void click(String css) {
		WebElement page = this.driver.findElement(By.tagName("html"));
		find(css).click();
		new WebDriverWait(this.driver, Duration.ofSeconds(20)).until(driver -> isLeft(page));
	}

	/**
	 * Whether the page this element belongs to has been left. Like
	 * {@link ExpectedConditions#stalenessOf}, except that Chromium, asked about an
	 * element while it swaps documents, may answer "Node with given id does not belong to
	 * the document" instead of a stale element: that, too, means the page was left.
	 */
	private static boolean isLeft(WebElement page) {
		try {
			page.isEnabled();
			return false;
		}
		catch (StaleElementReferenceException ex) {
			return true;
		}
		catch (WebDriverException ex) {
			if (ex.getMessage() != null && ex.getMessage().contains("does not belong to the document")) {
				return true;
			}
			throw ex;
		}
	}

	WebElement find(String css) {
		return this.driver.findElement(By.cssSelector(css));
	}

	java.util.List<WebElement> findAll(String css) {
		return this.driver.findElements(By.cssSelector(css));
	}

	String text() {
		return this.driver.findElement(By.tagName("body")).getText();
	}

	String path() {
		return java.net.URI.create(this.driver.getCurrentUrl()).getPath();
	}

	String title() {
		return this.driver.getTitle();
	}

	ChromeDriver driver() {
		return this.driver;
	}

	/**
	 * Saves the page as {@code target/console-screenshots/<name>.png}.
	 * @param name the file name without extension
	 * @return the file
	 */
	Path screenshot(String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		Path file = SCREENSHOTS.resolve(name + ".png");
		Files.write(file, this.driver.getScreenshotAs(OutputType.BYTES));
		return file;
	}

	@Override
	public void close() {
		this.driver.quit();
	}

}
