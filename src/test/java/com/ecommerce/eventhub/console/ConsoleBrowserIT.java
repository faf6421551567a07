package com.ecommerce.eventhub.console;

import java.net.URI;
import java.nio.file.Files;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.ops.DeadLetterMonitor;
import com.ecommerce.eventhub.routes.RouteCatalog;
import com.ecommerce.eventhub.support.CountingHandler;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser (headless Chromium through Selenium): a wrong
 * key is refused; signed in, the operator sees a dead letter the test made, opens it,
 * replays it after the confirmation, sees it handled and the action in the audit; stops
 * and starts a route; looks up an order's chain (order.placed →
 * email.notification-requested → email.failed); replays an event to one route past its
 * idempotency. Every page is saved to {@code target/console-screenshots/}. A plain HTTP
 * client checks what a browser hides: cookie attributes, security headers, and that a
 * form without its CSRF token or a request without a session is refused.
 */
@HubIntegrationTest(properties = { "hub.mail.port=1", "hub.mail.retry.initial-delay=1h",
		"hub.consumers.routes.email-send.maximum-attempts=1", "hub.consumers.routes.email-send.breaker-failures=0",
		"hub.ops.dead-letter-check-interval=200ms", "hub.routes.poll-interval=300ms",
		"hub.security.api-keys[0].name=ops-admin", "hub.security.api-keys[0].key=" + ConsoleBrowserIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true", "hub.security.api-keys[1].name=erp",
		"hub.security.api-keys[1].key=" + ConsoleBrowserIT.ERP_KEY,
		"hub.security.api-keys[1].event-types[0]=product.activated" })
@ExtendWith(OutputCaptureExtension.class)
class ConsoleBrowserIT {

	static final String ADMIN_KEY = "console-admin-key-0123456789";

	static final String ERP_KEY = "console-erp-key-0123456789";

	static final TestTopology topology = TestTopology.of(ConsoleBrowserIT.class);

	static final String QUEUE = topology.consumerQueue("console");

	private static final String HOSTILE_ID = "<b>hostile</b>";

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	@TestConfiguration
	static class Consumers {

		@Bean
		CountingHandler consoleHandler() {
			return new CountingHandler();
		}

		@Bean
		HubConsumer consoleConsumer() {
			return new HubConsumer("test-console", QUEUE, List.of("product.*"), "consoleHandler");
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	CountingHandler handler;

	@Autowired
	DeadLetterMonitor deadLetters;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	RouteCatalog routes;

	@Test
	void anOperatorTriagesADeadLetterInTheBrowser(CapturedOutput output) throws Exception {
		// The test's own data: an order whose mail fails (SMTP on port 1), and a product
		// event the test consumer refuses, which becomes a dead letter.
		ObjectNode order = OutboxFixtures.example("order.placed");
		String correlationId = "console-" + UUID.randomUUID();
		order.put("correlationId", correlationId);
		OutboxFixtures.insert(topology.schema(), order);
		ObjectNode product = OutboxFixtures.example("product.activated");
		String productAggregate = UUID.randomUUID().toString();
		product.put("aggregateId", productAggregate);
		UUID eventId = UUID.fromString(product.get("eventId").asText());
		this.handler.poisoned.add(eventId);
		OutboxFixtures.insert(topology.schema(), product);
		// A route file that does not parse: the routes page names its line.
		Files.writeString(topology.routesDirectory().resolve("broken.yaml"),
				"- route:\n    id: test-broken\n    from: [unclosed\n");
		await().atMost(Duration.ofSeconds(30)).until(() -> this.deadLetters.depth() >= 1);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.routes.reloads()
				.stream()
				.anyMatch(reload -> reload.file().equals("broken.yaml") && reload.line() != null));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE event_type = 'email.failed' AND correlation_id = ?",
					Integer.class, correlationId) == 1);

		try (ConsoleBrowser browser = ConsoleBrowser.open(this.port)) {
			// Without a session every console page is the sign-in; a wrong key and a
			// key that is not admin are refused.
			browser.get("/console/dead-letters");
			assertThat(browser.path()).isEqualTo("/console/sign-in");
			browser.screenshot("sign-in");
			signIn(browser, "not-a-key-0123456789abcdef");
			assertThat(browser.find("#sign-in-error").getText()).contains("Sign-in refused");
			assertThat(browser.path()).isEqualTo("/console/sign-in");
			signIn(browser, ERP_KEY);
			assertThat(browser.find("#sign-in-error").getText()).contains("not an admin API key");

			signIn(browser, ADMIN_KEY);
			assertThat(browser.path()).isEqualTo("/console");
			assertThat(browser.find("#signed-in-as").getText()).isEqualTo("ops-admin");
			assertThat(browser.find("#dead-letter-depth").getText()).isNotEqualTo("0");
			assertThat(browser.find("#consumers").getText()).contains("test-console", "Started");
			assertThat(browser.find("#breakers").getText()).contains("test-console", "CLOSED");
			browser.screenshot("overview");

			// The dead letter made above, filtered, opened.
			browser.click("nav a[href='/console/dead-letters']");
			assertThat(browser.find("#dead-letters").getText()).contains(eventId.toString(), "product.activated",
					"test-console", "PermanentFailureException");
			browser.screenshot("dead-letters");
			browser.get("/console/dead-letters?failedRoute=no-such-route");
			assertThat(browser.find("#dead-letter-count").getText()).startsWith("0 of");
			browser.get("/console/dead-letters?eventType=product.activated&failedRoute=test-console");
			browser.click("a.dead-letter-link[href*='" + eventId + "']");
			assertThat(browser.path()).isEqualTo("/console/dead-letter");
			assertThat(browser.find("#headers").getText()).contains("x-failed-route", "test-console",
					"x-exception-class", "x-attempts", "aggregatePartition");
			assertThat(browser.find("#properties").getText()).contains("message_id", eventId.toString(), "content_type",
					"application/json");
			assertThat(browser.find("#body").getText()).as("pretty-printed")
				.contains("\"sku\" : \"PROD-001\"")
				.contains("\n");
			browser.screenshot("dead-letter");

			// Replay it: a confirmation that says how many, then the result.
			this.handler.poisoned.clear();
			browser.click("#replay-one");
			assertThat(browser.find("#confirm-question").getText()).isEqualTo("Replay 1 dead letter?");
			browser.screenshot("confirm-replay");
			browser.click("#confirm");
			assertThat(browser.find("#result").getText()).isEqualTo("1 dead letters replayed.");
			browser.screenshot("replayed");
			await().atMost(Duration.ofSeconds(20)).until(() -> this.handler.handled(eventId) == 1);

			// Handled: the route's counter on the overview, gone from the dead letters.
			browser.get("/console");
			assertThat(consumerRow(browser, "test-console").findElements(org.openqa.selenium.By.tagName("td"))
				.get(4)
				.getText()).isEqualTo("1");
			browser.get("/console/dead-letter?eventId=" + eventId);
			assertThat(browser.find("#not-found").getText()).contains("No dead letter of this event");

			// The action in the audit, by the key's name, through the console.
			browser.click("nav a[href='/console/audit']");
			WebElement newest = browser.findAll("#audit tbody tr").get(0);
			assertThat(newest.getText()).contains("ops-admin", "console", "dead-letters.replay", eventId.toString(),
					"ok");
			browser.screenshot("audit");

			// Routes: state, source, policy; stop and start with confirmation.
			browser.click("nav a[href='/console/routes']");
			assertThat(browser.find("#routes").getText()).contains("test-console", "java", "maximumAttempts 5",
					"outbox-relay-0");
			assertThat(browser.find("#route-files").getText()).contains("broken.yaml", "REJECTED")
				.containsPattern("line [1-9]");
			browser.screenshot("routes");
			browser.click("tr[id='test-console'] button[value='stop']");
			assertThat(browser.find("#confirm-question").getText()).isEqualTo("Stop route test-console?");
			browser.click("#confirm");
			assertThat(browser.find("#result").getText()).isEqualTo("Route test-console is Stopped.");
			browser.get("/console/routes");
			browser.click("tr[id='test-console'] button[value='start']");
			browser.click("#confirm");
			assertThat(browser.find("#result").getText()).isEqualTo("Route test-console is Started.");

			// Event lookup: the order and the chain the hub built from it, with links.
			browser.get("/console/events");
			browser.find("#lookup-value").sendKeys(order.get("eventId").asText());
			browser.click("#lookup");
			assertThat(browser.find("#event-status").getText()).isEqualTo("PUBLISHED");
			String chain = browser.find("#chain").getText();
			assertThat(chain).contains("order.placed", "email.notification-requested", "email.failed");
			browser.screenshot("event");
			String requested = this.jdbc.queryForObject(
					"SELECT event_id::text FROM outbox_event WHERE event_type = 'email.notification-requested' "
							+ "AND correlation_id = ? ORDER BY id LIMIT 1",
					String.class, correlationId);
			browser.click("#chain a[href$='" + requested + "']");
			assertThat(browser.find("#event").getText()).contains("email.notification-requested",
					order.get("eventId").asText());

			// Scoped replay from the console: counted, confirmed, handled again.
			browser.get("/console/replay");
			new Select(browser.find("#replay-route")).selectByValue("test-console");
			browser.find("input[name='aggregateId']").sendKeys(productAggregate);
			browser.find("input[name='bypassIdempotency']").click();
			browser.screenshot("replay");
			browser.click("#replay-count");
			assertThat(browser.find("#confirm-question").getText()).isEqualTo("Replay 1 event to route test-console?");
			browser.click("#confirm");
			assertThat(browser.find("#result").getText()).startsWith("1 events replayed to route test-console");
			await().atMost(Duration.ofSeconds(20)).until(() -> this.handler.handled(eventId) == 2);
			assertThat(this.jdbc
				.queryForObject("SELECT count(*) FROM operator_action WHERE action = 'replay' AND channel = 'console' "
						+ "AND actor = 'ops-admin' AND target = 'test-console' AND affected = 1 "
						+ "AND (filter->>'bypassIdempotency')::boolean", Integer.class))
				.isEqualTo(1);

			// Signing out ends the session.
			browser.click("form.signout button");
			assertThat(browser.path()).isEqualTo("/console/sign-in");
			browser.get("/console/audit");
			assertThat(browser.path()).isEqualTo("/console/sign-in");
		}
		assertThat(output.getAll()).as("the key is never logged").doesNotContain(ADMIN_KEY).doesNotContain(ERP_KEY);
	}

	@Test
	void withoutASessionOrItsCsrfTokenNothingHappens() throws Exception {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		String base = "http://127.0.0.1:" + this.port;

		HttpResponse<String> anonymous = client.send(
				HttpRequest.newBuilder(URI.create(base + "/console/routes")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(303);
		assertThat(anonymous.headers().firstValue("Location")).hasValue("/console/sign-in");
		assertThat(anonymous.headers().firstValue("Content-Security-Policy").orElseThrow())
			.contains("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'")
			.doesNotContain("script-src");
		assertThat(anonymous.headers().firstValue("X-Frame-Options")).hasValue("DENY");

		// The sign-in form: its CSRF token in the page and in an HttpOnly,
		// SameSite=Strict
		// cookie.
		HttpResponse<String> form = client.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(form.statusCode()).isEqualTo(200);
		assertThat(form.body()).doesNotContain("<script");
		String signInCookie = cookie(form, "hub_console_signin");
		assertThat(setCookie(form, "hub_console_signin")).contains("HttpOnly", "SameSite=Strict", "Path=/console")
			.doesNotContain("Secure");
		String signInToken = csrf(form.body());

		// Sign-in without the token, with a wrong key, with the admin key.
		assertThat(post(client, base + "/console/sign-in", signInCookie, "apiKey=" + ADMIN_KEY).statusCode())
			.isEqualTo(403);
		assertThat(post(client, base + "/console/sign-in", signInCookie,
				"_csrf=" + signInToken + "&apiKey=wrong-key-0123456789")
			.statusCode()).isEqualTo(401);
		HttpResponse<String> signedIn = post(client, base + "/console/sign-in", signInCookie,
				"_csrf=" + signInToken + "&apiKey=" + URLEncoder.encode(ADMIN_KEY, StandardCharsets.UTF_8));
		assertThat(signedIn.statusCode()).isEqualTo(303);
		assertThat(signedIn.headers().firstValue("Location")).hasValue("/console");
		assertThat(setCookie(signedIn, "hub_console")).contains("HttpOnly", "SameSite=Strict", "Path=/console");
		String session = cookie(signedIn, "hub_console");
		assertThat(session).doesNotContain(ADMIN_KEY);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM operator_action WHERE action = 'console.sign-in' "
				+ "AND actor = 'ops-admin' AND outcome = 'ok'", Integer.class))
			.isPositive();

		HttpResponse<String> overview = client.send(
				HttpRequest.newBuilder(URI.create(base + "/console")).header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(overview.statusCode()).isEqualTo(200);
		assertThat(overview.body()).doesNotContain(ADMIN_KEY).doesNotContain("<script");
		String token = csrf(overview.body());

		// What a dead letter carries is shown as text, never markup.
		publishHostileDeadLetter();
		HttpResponse<String> list = get(client, base + "/console/dead-letters", session);
		HttpResponse<String> opened = get(client,
				base + "/console/dead-letter?eventId=" + URLEncoder.encode(HOSTILE_ID, StandardCharsets.UTF_8),
				session);
		for (HttpResponse<String> page : List.of(list, opened)) {
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.body()).doesNotContain("<script>alert", "<b>hostile", "\u202e")
				.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
		}
		assertThat(opened.body()).contains("&lt;b&gt;hostile&lt;/b&gt;", "&lt;script&gt;alert(2)");

		// A state-changing request without the token, or with another, is refused; with
		// it, it goes through (here to the confirmation page, which changes nothing).
		String action = base + "/console/dead-letters/action";
		assertThat(post(client, action, session, "op=discard-matching").statusCode()).isEqualTo(403);
		assertThat(post(client, action, session, "op=discard-matching&_csrf=" + signInToken).statusCode())
			.isEqualTo(403);
		HttpResponse<String> forBrowser = client.send(HttpRequest.newBuilder(URI.create(action))
			.header("Cookie", session)
			.header("Accept", "text/html")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("op=discard-matching"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(forBrowser.statusCode()).isEqualTo(403);
		assertThat(forBrowser.body()).contains("CSRF token is missing or wrong");
		HttpResponse<String> confirm = post(client, action, session, "op=discard-matching&_csrf=" + token);
		assertThat(confirm.statusCode()).isEqualTo(200);
		assertThat(confirm.body()).contains("confirm-question");
		// Without a session (an API key in a header counts for nothing here), or sent as
		// JSON, or too large.
		assertThat(post(client, action, null, "op=discard-matching&_csrf=" + token).statusCode()).isEqualTo(401);
		assertThat(client
			.send(HttpRequest.newBuilder(URI.create(action))
				.header("X-API-Key", ADMIN_KEY)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("op=discard-matching"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.statusCode()).isEqualTo(401);
		assertThat(client
			.send(HttpRequest.newBuilder(URI.create(action))
				.header("Cookie", session)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{}"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.statusCode()).isEqualTo(415);
		assertThat(post(client, action, session, "_csrf=" + token + "&eventId=" + "x".repeat(70 * 1024)).statusCode())
			.isEqualTo(413);

		// Signing out needs the token too, and ends the session on the server.
		assertThat(post(client, base + "/console/sign-out", session, "").statusCode()).isEqualTo(403);
		assertThat(post(client, base + "/console/sign-out", session, "_csrf=" + token).statusCode()).isEqualTo(303);
		HttpResponse<String> after = client.send(
				HttpRequest.newBuilder(URI.create(base + "/console")).header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(after.statusCode()).isEqualTo(303);
		assertThat(after.headers().firstValue("Location")).hasValue("/console/sign-in");

		// A session unused for longer than hub.console.session-idle-timeout is over.
		String idle = signIn(client, base);
		assertThat(get(client, base + "/console", idle).statusCode()).isEqualTo(200);
		this.jdbc.update("UPDATE console_session SET last_seen_at = now() - interval '16 minutes' "
				+ "WHERE last_seen_at > now() - interval '1 minute'");
		HttpResponse<String> expired = get(client, base + "/console", idle);
		assertThat(expired.statusCode()).isEqualTo(303);
		assertThat(expired.headers().firstValue("Location")).hasValue("/console/sign-in");
	}

	/** Signs in with the admin key over plain HTTP; the session cookie to send back. */
	private static String signIn(HttpClient client, String base) throws Exception {
		HttpResponse<String> form = get(client, base + "/console/sign-in", null);
		HttpResponse<String> signedIn = post(client, base + "/console/sign-in", cookie(form, "hub_console_signin"),
				"_csrf=" + csrf(form.body()) + "&apiKey=" + ADMIN_KEY);
		assertThat(signedIn.statusCode()).isEqualTo(303);
		return cookie(signedIn, "hub_console");
	}

	private static HttpResponse<String> get(HttpClient client, String url, String cookie) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A dead letter whose id, headers and body are markup, straight into the queue. */
	private static void publishHostileDeadLetter() throws Exception {
		try (Connection connection = TestServices.rabbit().newConnection("console-test");
				Channel channel = connection.createChannel()) {
			AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(HOSTILE_ID)
				.type("<i>type</i>")
				.headers(Map.of("x-failed-route", "<script>alert(1)</script>", "x-exception-message",
						"\u202eevil <img src=x onerror=alert(3)>"))
				.build();
			channel.basicPublish("", topology.deadLetterQueue(), properties,
					"<script>alert(2)</script>".getBytes(StandardCharsets.UTF_8));
		}
	}

	private static void signIn(ConsoleBrowser browser, String key) {
		browser.find("#apiKey").sendKeys(key);
		browser.click("#sign-in");
	}

	private static WebElement consumerRow(ConsoleBrowser browser, String routeId) {
		return browser.findAll("#consumers tbody tr")
			.stream()
			.filter(row -> row.getText().startsWith(routeId + " "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no row of " + routeId + " on the overview"));
	}

	private static HttpResponse<String> post(HttpClient client, String url, String cookie, String form)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String csrf(String html) {
		Matcher matcher = CSRF.matcher(html);
		assertThat(matcher.find()).as("the page carries a CSRF token").isTrue();
		return matcher.group(1);
	}

	private static String setCookie(HttpResponse<String> response, String name) {
		return response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter(value -> value.startsWith(name + "="))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no cookie " + name));
	}

	/** The cookie as a request sends it back: {@code name=value}. */
	private static String cookie(HttpResponse<String> response, String name) {
		return setCookie(response, name).split(";", 2)[0];
	}

}
