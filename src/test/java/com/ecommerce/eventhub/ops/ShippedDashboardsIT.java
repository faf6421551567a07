package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped Grafana dashboard ({@code deploy/grafana/event-hub.json}) and Prometheus
 * rules ({@code deploy/prometheus/alerts.yaml}) query only metrics a running hub exposes:
 * after an order has gone through the hub to a mail at a real SMTP server (GreenMail), an
 * event was posted and an invalid row dead-lettered, every metric name (and every label
 * matched on) in their expressions is on /actuator/prometheus, as written, suffixes
 * included. Both lag histograms have counted the events with their tags.
 */
@HubIntegrationTest(properties = { "hub.ops.metrics-interval=200ms", "hub.ops.dead-letter-check-interval=200ms",
		"hub.mail.from=shop@example.com", "hub.security.api-keys[0].name=erp",
		"hub.security.api-keys[0].key=" + ShippedDashboardsIT.KEY, "hub.security.api-keys[0].event-types=*" })
@AutoConfigureObservability(tracing = false)
class ShippedDashboardsIT {

	static final String KEY = "erp-key-dashboards-0123456789";

	static final Path DASHBOARD = Path.of("deploy/grafana/event-hub.json");

	static final Path ALERTS = Path.of("deploy/prometheus/alerts.yaml");

	static final TestTopology topology = TestTopology.of(ShippedDashboardsIT.class);

	static final int SMTP_PORT = freePort();

	/**
	 * A metric name in PromQL: a known prefix, then up to the end of the identifier, and
	 * not a label value or part of a longer word.
	 */
	private static final Pattern METRIC = Pattern.compile(
			"(?<![\\w\"'.:])((?:eventhub|resilience4j|jvm|process|system|http|hikaricp|tomcat|executor|logback|disk|application)_\\w+)"
					+ "(?=[\\s{\\[(),]|$)");

	/** A selector's label matcher, e.g. {@code area="heap"}. */
	private static final Pattern LABEL_MATCHER = Pattern.compile("(\\w+)\\s*(?:=~|!~|!=|=)");

	/** Labels Prometheus adds at scrape time, not the hub. */
	private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

	@DynamicPropertySource
	static void mail(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
	}

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	GreenMail smtp;

	@BeforeEach
	void startSmtp() {
		ServerSetup setup = new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
		setup.setServerStartupTimeout(15_000);
		this.smtp = new GreenMail(setup);
		this.smtp.start();
	}

	@AfterEach
	void stopSmtp() {
		this.smtp.stop();
	}

	@Test
	void everyMetricTheDashboardAndTheRulesQueryIsOnARealScrape() throws Exception {
		String scrape = scrapeAfterAnOrderMailedAndADeadLetter();

		Map<String, Set<String>> queried = new TreeMap<>();
		dashboardExpressions().forEach(expr -> collectSelectors(expr, queried));
		alertExpressions().forEach(expr -> collectSelectors(expr, queried));
		assertThat(queried).as("metrics the dashboard and rules query").hasSizeGreaterThanOrEqualTo(20);
		List<String> missing = new ArrayList<>();
		for (Map.Entry<String, Set<String>> metric : queried.entrySet()) {
			List<String> series = series(scrape, metric.getKey());
			if (series.isEmpty()) {
				missing.add(metric.getKey());
				continue;
			}
			for (String label : metric.getValue()) {
				if (series.stream().noneMatch(line -> line.matches(".*[{,]" + label + "=\".*"))) {
					missing.add(metric.getKey() + "{" + label + "}");
				}
			}
		}
		assertThat(missing).as("queried but not on /actuator/prometheus (scrape in target/%s)", scrapeFile(scrape))
			.isEmpty();
	}

	@Test
	void bothLagHistogramsCountedTheEventsWithTheirTags() throws Exception {
		String scrape = scrapeAfterAnOrderMailedAndADeadLetter();
		assertThat(value(scrape, "eventhub_publish_lag_seconds_count{event_type=\"order.placed\"}")).isPositive();
		assertThat(value(scrape, "eventhub_publish_lag_seconds_count{event_type=\"email.notification-requested\"}"))
			.isPositive();
		assertThat(value(scrape,
				"eventhub_consumer_lag_seconds_count{event_type=\"order.placed\",route=\"notification-order-events\"}"))
			.isPositive();
		assertThat(value(scrape,
				"eventhub_consumer_lag_seconds_count{event_type=\"email.notification-requested\",route=\"email-send\"}"))
			.isPositive();
		// The SLO buckets, cumulative: the last one holds every event.
		for (String histogram : List.of("eventhub_publish_lag_seconds", "eventhub_consumer_lag_seconds")) {
			for (String le : List.of("0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0", "300.0",
					"+Inf")) {
				assertThat(scrape).as(histogram + " le=" + le)
					.containsPattern(
							"(?m)^" + histogram + "_bucket\\{event_type=\"[a-z.-]+\",(route=\"[a-z-]+\",)?le=\""
									+ Pattern.quote(le) + "\"}");
			}
		}
		// The order was posted just now (no occurredAt: the hub sets it), so its publish
		// lag is in a finite bucket.
		assertThat(value(scrape, "eventhub_publish_lag_seconds_bucket{event_type=\"order.placed\",le=\"300.0\"}"))
			.isPositive();
	}

	@Test
	void theRulesFileIsAPrometheusRulesFile() throws IOException {
		Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(ALERTS));
		assertThat(rules).containsOnlyKeys("groups");
		List<?> groups = (List<?>) rules.get("groups");
		assertThat(groups).isNotEmpty();
		Set<String> alerts = new HashSet<>();
		for (Object item : groups) {
			Map<?, ?> group = (Map<?, ?>) item;
			assertThat(group.get("name")).as("group name").isInstanceOf(String.class);
			assertThat((List<?>) group.get("rules")).as("rules of " + group.get("name")).isNotEmpty();
			for (Object ruleItem : (List<?>) group.get("rules")) {
				Map<?, ?> rule = (Map<?, ?>) ruleItem;
				String alert = (String) rule.get("alert");
				assertThat(alert).as("alert name").matches("[A-Z][A-Za-z0-9]+");
				assertThat(alerts.add(alert)).as("unique alert " + alert).isTrue();
				assertThat(rule.keySet()).as(alert)
					.allMatch(Set.of("alert", "expr", "for", "labels", "annotations")::contains);
				assertThat((String) rule.get("expr")).as(alert + " expr").isNotBlank();
				assertThat(String.valueOf(rule.get("for"))).as(alert + " for").matches("\\d+[smh]");
				Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
				assertThat(labels.get("severity")).as(alert + " severity").isIn("critical", "warning", "info");
				Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
				assertThat((String) annotations.get("summary")).as(alert + " summary").isNotBlank();
				assertThat((String) annotations.get("description")).as(alert + " description").isNotBlank();
			}
		}
		// The rules README recommended before, and those of the lag histograms and
		// consumer failures.
		assertThat(alerts).contains("EventHubDeadLetter", "EventHubRelayLag", "EventHubEmailFailures",
				"EventHubPublishLagSlo", "EventHubConsumerLagSlo", "EventHubConsumerFailureRate");
		String expressions = String.join("\n", alertExpressions());
		assertThat(expressions).contains("histogram_quantile(0.99", "eventhub_publish_lag_seconds_bucket",
				"eventhub_consumer_lag_seconds_bucket", "eventhub_consumer_failed_total",
				"eventhub_consumer_handled_total");
	}

	@Test
	void theDashboardIsAGrafanaDashboardOnThePrometheusDataSourceVariable() throws IOException {
		JsonNode dashboard = EnvelopeJson.mapper().readTree(Files.readString(DASHBOARD));
		assertThat(dashboard.path("title").asText()).isNotBlank();
		assertThat(dashboard.path("uid").asText()).isNotBlank();
		assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
		assertThat(dashboard.at("/templating/list").findValuesAsText("name")).contains("DS_PROMETHEUS");
		for (JsonNode variable : dashboard.at("/templating/list")) {
			if ("DS_PROMETHEUS".equals(variable.path("name").asText())) {
				assertThat(variable.path("type").asText()).isEqualTo("datasource");
				assertThat(variable.path("query").asText()).isEqualTo("prometheus");
			}
		}
		Set<Integer> ids = new HashSet<>();
		List<String> titles = new ArrayList<>();
		for (JsonNode panel : panels(dashboard)) {
			assertThat(ids.add(panel.path("id").asInt())).as("unique panel id " + panel.path("id")).isTrue();
			assertThat(panel.has("gridPos")).as(panel.path("title").asText()).isTrue();
			if ("row".equals(panel.path("type").asText())) {
				continue;
			}
			titles.add(panel.path("title").asText());
			assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText())
				.isEqualTo("${DS_PROMETHEUS}");
			assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
			for (JsonNode target : panel.path("targets")) {
				assertThat(target.path("expr").asText()).as(panel.path("title").asText()).isNotBlank();
				assertThat(target.at("/datasource/uid").asText()).isEqualTo("${DS_PROMETHEUS}");
			}
		}
		assertThat(String.join("\n", dashboardExpressions())).contains("eventhub_publish_lag_seconds_bucket",
				"eventhub_relay_lag_seconds", "eventhub_outbox_pending", "eventhub_consumer_handled_total",
				"eventhub_consumer_failed_total", "eventhub_consumer_retried_total",
				"eventhub_consumer_lag_seconds_bucket", "eventhub_dead_letter_depth", "eventhub_email_sent_total",
				"eventhub_email_failed_total", "eventhub_ingestion_requests_total", "jvm_memory_used_bytes",
				"jvm_threads_live_threads", "jvm_gc_pause_seconds", "process_cpu_usage");
		assertThat(titles).hasSizeGreaterThanOrEqualTo(15);
	}

	@Test
	void theReadmePointsAtTheShippedFiles() throws IOException {
		String readme = Files.readString(Path.of("README.md"));
		assertThat(readme).contains(DASHBOARD.toString(), ALERTS.toString());
	}

	/**
	 * Posts an order (relay, notification route, e-mail route, a mail at GreenMail) and
	 * inserts an invalid row (a dead letter), then scrapes once both lag histograms and
	 * the dead letter show.
	 */
	private String scrapeAfterAnOrderMailedAndADeadLetter() throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		order.remove("occurredAt");
		order.put("correlationId", "dashboards-" + order.get("eventId").asText());
		HubHttp http = new HubHttp(this.port);
		HttpResponse<String> posted = http.post("/api/v1/events", KEY, "application/json", order.toString());
		assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
		ObjectNode invalid = OutboxFixtures.example("product.created");
		((ObjectNode) invalid.get("payload")).remove("sku");
		OutboxFixtures.insert(topology.schema(), invalid);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE event_type = 'email.sent' AND correlation_id = ?",
					Integer.class, order.get("correlationId").asText()) >= 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.smtp.getReceivedMessages().length >= 1);
		String[] scrape = new String[1];
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			scrape[0] = http.get("/actuator/prometheus", null).body();
			assertThat(scrape[0])
				.contains("eventhub_consumer_lag_seconds_count{event_type=\"email.notification-requested\"")
				.containsPattern("(?m)^eventhub_dead_letter_depth(\\{[^}]*})? [1-9]")
				.contains("eventhub_dead_letters_total{");
		});
		return scrape[0];
	}

	/** Every PromQL expression of the dashboard: panel targets and query variables. */
	private static List<String> dashboardExpressions() throws IOException {
		JsonNode dashboard = EnvelopeJson.mapper().readTree(Files.readString(DASHBOARD));
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : panels(dashboard)) {
			for (JsonNode target : panel.path("targets")) {
				expressions.add(target.path("expr").asText());
			}
		}
		for (JsonNode variable : dashboard.at("/templating/list")) {
			if ("query".equals(variable.path("type").asText())) {
				JsonNode query = variable.path("query");
				expressions.add(query.isObject() ? query.path("query").asText() : query.asText());
			}
		}
		return expressions;
	}

	/** Every panel, those nested in collapsed rows included. */
	private static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

	private static List<String> alertExpressions() throws IOException {
		Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(ALERTS));
		List<String> expressions = new ArrayList<>();
		for (Object group : (List<?>) rules.get("groups")) {
			for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
				expressions.add(String.valueOf(((Map<?, ?>) rule).get("expr")));
			}
		}
		return expressions;
	}

	/**
	 * Adds each metric name of the expression, with the labels its selectors match on.
	 */
	private static void collectSelectors(String expr, Map<String, Set<String>> into) {
		Matcher metric = METRIC.matcher(expr);
		while (metric.find()) {
			Set<String> labels = into.computeIfAbsent(metric.group(1), name -> new TreeSet<>());
			int end = metric.end();
			if (end < expr.length() && expr.charAt(end) == '{') {
				String selector = expr.substring(end + 1, expr.indexOf('}', end));
				Matcher label = LABEL_MATCHER.matcher(selector.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
				while (label.find()) {
					if (!TARGET_LABELS.contains(label.group(1))) {
						labels.add(label.group(1));
					}
				}
			}
		}
	}

	/** The sample lines of a metric name exactly as written (no suffix added). */
	private static List<String> series(String scrape, String name) {
		return scrape.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " ")).toList();
	}

	private static double value(String scrape, String seriesPrefix) {
		return scrape.lines()
			.filter(line -> line.startsWith(seriesPrefix))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	/** Keeps the scrape for whoever reads a failure. */
	private static String scrapeFile(String scrape) {
		Path file = Path.of("target", "shipped-dashboards-scrape.txt");
		try {
			Files.writeString(file, scrape);
		}
		catch (IOException ex) {
			return "(not written: " + ex.getMessage() + ")";
		}
		return file.getFileName().toString();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
