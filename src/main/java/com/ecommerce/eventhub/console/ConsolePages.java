package com.ecommerce.eventhub.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Renders the console's pages from {@code src/main/resources/console/*.mustache} into the
 * shared layout. Every {@code {{value}}} is HTML-escaped (JMustache escapes
 * {@code & < > " ' ` =}, so values are safe in text and in quoted attributes); the only
 * unescaped output is a page's own rendered body placed into the layout. Templates are
 * compiled once and fail the start-up when broken.
 */
@Component
class ConsolePages {

	private static final List<String> PAGES = List.of("sign-in", "overview", "dead-letters", "dead-letter", "confirm",
			"result", "routes", "events", "event", "replay", "audit", "error");

	/** The navigation: path and label. */
	private static final List<Map<String, String>> NAVIGATION = List.of(nav("overview", "/console", "Overview"),
			nav("dead-letters", "/console/dead-letters", "Dead letters"), nav("routes", "/console/routes", "Routes"),
			nav("events", "/console/events", "Events"), nav("replay", "/console/replay", "Replay"),
			nav("audit", "/console/audit", "Audit"));

	// A missing value renders as nothing (an optional field of a dead letter); partials
	// such as {{> event-table}} come from the same folder.
	private final Mustache.Compiler compiler = Mustache.compiler()
		.escapeHTML(true)
		.defaultValue("")
		.withLoader(ConsolePages::partial);

	private final Template layout;

	private final Map<String, Template> pages = new ConcurrentHashMap<>();

	ConsolePages() {
		this.layout = compile("layout");
		PAGES.forEach(page -> this.pages.put(page, compile(page)));
	}

	/**
	 * A page of a signed-in session.
	 * @param status the HTTP status
	 * @param page the template, e.g. {@code overview}
	 * @param title the page title
	 * @param session the session (its key name and CSRF token are shown and used)
	 * @param model the page's values
	 * @return the answer
	 */
	ResponseEntity<String> page(int status, String page, String title, ConsoleSession session, Map<String, ?> model) {
		Map<String, Object> values = new HashMap<>(model);
		values.put("csrf", session.csrfToken());
		String body = template(page).execute(values);
		Map<String, Object> frame = new HashMap<>();
		frame.put("title", title);
		frame.put("body", body);
		frame.put("signedIn", true);
		frame.put("keyName", session.keyName());
		frame.put("csrf", session.csrfToken());
		frame.put("navigation", NAVIGATION.stream().map(item -> active(item, page)).toList());
		return html(status, this.layout.execute(frame));
	}

	/**
	 * An error page of a signed-in session.
	 * @param status the HTTP status
	 * @param session the session
	 * @param message what went wrong, for a person
	 * @param back where to go from here, or null
	 * @return the answer
	 */
	ResponseEntity<String> error(int status, ConsoleSession session, String message, String back) {
		Map<String, Object> model = new HashMap<>();
		model.put("message", message);
		model.put("back", back);
		return page(status, "error", (status >= 500) ? "Not available" : "Cannot do that", session, model);
	}

	/**
	 * A page without a session: the sign-in.
	 * @param status the HTTP status
	 * @param model the page's values
	 * @return the answer
	 */
	ResponseEntity<String> signIn(int status, Map<String, ?> model) {
		Map<String, Object> frame = new HashMap<>();
		frame.put("title", "Sign in");
		frame.put("body", template("sign-in").execute(model));
		frame.put("signedIn", false);
		return html(status, this.layout.execute(frame));
	}

	private Template template(String page) {
		Template template = this.pages.get(page);
		if (template == null) {
			throw new IllegalArgumentException("no console page " + page);
		}
		return template;
	}

	private static ResponseEntity<String> html(int status, String html) {
		return ResponseEntity.status(status)
			.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
			.body(html);
	}

	private static Map<String, Object> active(Map<String, String> item, String page) {
		Map<String, Object> entry = new HashMap<>(item);
		entry.put("active", item.get("page").equals(page) || page.startsWith(item.get("page").replaceAll("s$", "")));
		return entry;
	}

	private static Map<String, String> nav(String page, String path, String label) {
		return Map.of("page", page, "path", path, "label", label);
	}

	private Template compile(String name) {
		try (Reader reader = partial(name)) {
			return this.compiler.compile(reader);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Reader partial(String name) {
		String resource = "/console/" + name + ".mustache";
		InputStream in = ConsolePages.class.getResourceAsStream(resource);
		if (in == null) {
			throw new IllegalStateException("missing console template " + resource);
		}
		return new InputStreamReader(in, StandardCharsets.UTF_8);
	}

}
