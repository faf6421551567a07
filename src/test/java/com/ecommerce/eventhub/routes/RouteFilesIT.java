package com.ecommerce.eventhub.routes;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.support.WebhookServer;
import com.ecommerce.eventhub.support.YamlRoutes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * YAML routes applied to a running hub: a new forwarder, a policy edit, broken edits, a
 * reload under load, deletion and restoration, the shipped examples, and the route
 * operations API.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "hub.routes.poll-interval=300ms",
		"hub.security.api-keys[0].name=operator", "hub.security.api-keys[0].key=" + RouteFilesIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true" })
class RouteFilesIT {

	static final String ADMIN_KEY = "operator-key-0123456789";

	static final TestTopology topology = TestTopology.of(RouteFilesIT.class);

	static final String QUEUE = topology.consumerQueue("webhook");

	static final WebhookServer webhook = startWebhook();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.webhooks.inventory-url", webhook::url);
	}

	@AfterAll
	static void cleanup() throws Exception {
		webhook.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	CamelContext camel;

	Path file;

	TestPublisher publisher;

	@BeforeEach
	void setUp() throws Exception {
		this.file = topology.routesDirectory().resolve("forwarder.yaml");
		this.publisher = TestPublisher.to(topology.exchange());
	}

	@AfterEach
	void tearDown() throws Exception {
		Files.deleteIfExists(this.file);
		Files.deleteIfExists(this.file.resolveSibling("second.yaml"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.camel.getRoute("test-forwarder") == null
					&& this.camel.getRoute("second-forwarder") == null);
		this.publisher.close();
	}

	@Test
	void aNewForwarderFileForwardsItsEventsWithinSeconds() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);

		String eventId = publishInventoryEvent();
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(eventId) == 1);
	}

	@Test
	void editingTheRedeliveryPolicyFromOneToThreeAttemptsTriesTheNextFailingEventThreeTimes() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);
		String first = failingEvent();
		this.publisher.publish(inventoryEvent(first));
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(first) == 1);

		write(forwarder(3, "# three attempts now"));
		await().atMost(Duration.ofSeconds(10)).until(() -> "3".equals(policyOf("test-forwarder")));
		String second = failingEvent();
		this.publisher.publish(inventoryEvent(second));
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(second) == 3);
		await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
		assertThat(webhook.callsOf(second)).isEqualTo(3);
		assertThat(webhook.callsOf(first)).isEqualTo(1);
	}

	@Test
	void narrowingTheBindingsStopsTheEventsNoLongerBound() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);
		write(forwarder(1, "# reserved only").replace("value: \"inventory.#\"", "value: \"inventory.reserved\""));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "inventory.reserved".equals(routeField("test-forwarder", "bindings")));

		ObjectNode released = OutboxFixtures.example("inventory.released");
		this.publisher.publish(released);
		String reserved = publishInventoryEvent();
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(reserved) == 1);
		await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
		assertThat(webhook.callsOf(released.get("eventId").asText())).isZero();
	}

	private String routeField(String routeId, String field) throws Exception {
		JsonNode listing = HubHttp.json(new HubHttp(this.port).get("/api/v1/routes", ADMIN_KEY));
		// Read while a file is being swapped, the listing was once not a route list (seen
		// once in CI): the caller's await asks again.
		for (JsonNode route : listing.path("routes")) {
			if (route.get("id").asText().equals(routeId)) {
				return route.path(field).asText(null);
			}
		}
		return null;
	}

	@Test
	void aBrokenEditIsRejectedAndThePreviousVersionKeepsForwarding() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);

		write(forwarder(1, "").replace("      - name: queue", "      - name: queue\n    broken: [unclosed"));
		JsonNode rejected = awaitFileStatus("REJECTED");
		assertThat(rejected.get("reason").asText()).contains("does not parse");
		assertThat(rejected.get("line").asInt()).isPositive();
		String afterBadYaml = publishInventoryEvent();
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(afterBadYaml) == 1);

		write(forwarder(1, "").replace("uri: \"{{hub.webhooks.inventory-url}}\"", "uri: \"nosuchcomponent:foo\""));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> fileStatus().get("reason").asText().contains("unknown component 'nosuchcomponent'"));
		String afterUnknownComponent = publishInventoryEvent();
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(afterUnknownComponent) == 1);
		assertThat(fileStatus().get("routeIds")).extracting(JsonNode::asText)
			.containsExactlyInAnyOrder("test-forwarder", "test-forwarder-post");
	}

	@Test
	void aConsumerOfTheDeadLetterQueueIsRefusedAndNoRouteStarts() throws Exception {
		// It was applied: the route failed every dead letter and dead-lettered it
		// into the queue it read, 24,400 failures in 40 s, the listing showing none.
		write(forwarderOn(topology.deadLetterQueue()));
		JsonNode rejected = awaitFileStatus("REJECTED");
		assertThat(rejected.get("reason").asText()).contains("'" + topology.deadLetterQueue() + "'",
				"dead-letter queue");
		assertThat(rejected.get("line").asInt()).isPositive();
		assertThat(this.camel.getRoute("test-forwarder")).isNull();
		assertThat(this.camel.getRoute("test-forwarder-post")).isNull();
	}

	@Test
	void aConsumerOfTheNotificationRoutesQueueIsRefusedAndNoRouteStarts() throws Exception {
		String notifications = this.camel.resolvePropertyPlaceholders("{{hub.notifications.queue}}");
		// Another prefetch than the Java route's: with the same endpoint URI Camel itself
		// refused the second consumer, but only after the hub had bound the queue to the
		// file's patterns.
		write(withPrefetch(forwarderOn(notifications)));
		JsonNode rejected = awaitFileStatus("REJECTED");
		assertThat(rejected.get("reason").asText()).contains("'" + notifications + "'",
				"route 'notification-order-events' (a Java route)");
		assertThat(this.camel.getRoute("test-forwarder")).isNull();
		assertThat(this.camel.getRoute("test-forwarder-post")).isNull();
	}

	@Test
	void theHubsOtherQueuesAndQueueListsAreRefusedToo() throws Exception {
		String archive = topology.deadLetterQueue() + ".archive";
		String[][] refused = { { archive, "archive queue" },
				{ topology.deadLetterQueue() + ".parked", "archive refused" },
				{ topology.queue("inventory.events"), "domain queue" },
				{ this.camel.resolvePropertyPlaceholders("{{hub.mail.queue}}"), "route 'email-send'" },
				{ QUEUE + "," + topology.deadLetterQueue(), "queue must match" },
				{ "\"{{hub.mail.queue}}\"", "queue must match" } };
		for (String[] queue : refused) {
			write(forwarderOn(queue[0]));
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				JsonNode file = fileStatus();
				return file != null && file.path("reason").asText().contains(queue[1]);
			});
			assertThat(fileStatus().get("status").asText()).as(queue[0]).isEqualTo("REJECTED");
			assertThat(this.camel.getRoute("test-forwarder")).as(queue[0]).isNull();
		}
		write(forwarder(1, "").replace("      - name: bindings\n",
				"      - name: queue\n        value: " + topology.deadLetterQueue() + "\n      - name: bindings\n"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> fileStatus().path("reason").asText().contains("parameter 'queue' appears twice"));
		assertThat(this.camel.getRoute("test-forwarder")).isNull();
	}

	@Test
	void twoFilesCannotTakeOneQueueNorOneAPartitionQueueOfTheOther() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);
		Path second = this.file.resolveSibling("second.yaml");
		String copy = withPrefetch(forwarder(1, "").replace("test-forwarder", "second-forwarder"));

		Files.writeString(second, copy);
		await().atMost(Duration.ofSeconds(10)).until(() -> reasonOf("second.yaml").contains("'" + QUEUE + "'"));
		assertThat(reasonOf("second.yaml")).contains("route 'test-forwarder' (file forwarder.yaml)");
		assertThat(this.camel.getRoute("second-forwarder")).isNull();

		// An ordered route on QUEUE takes QUEUE.p0 ... instead.
		Files.writeString(second, copy.replace("value: " + QUEUE, "value: " + QUEUE + ".p1"));
		await().atMost(Duration.ofSeconds(10)).until(() -> reasonOf("second.yaml").contains("partition queue"));
		assertThat(this.camel.getRoute("second-forwarder")).isNull();

		// The file's own previous version does not count: an edit keeps its queue.
		write(forwarder(2, "# two attempts"));
		await().atMost(Duration.ofSeconds(10)).until(() -> "2".equals(policyOf("test-forwarder")));
	}

	private String reasonOf(String name) throws Exception {
		for (JsonNode file : HubHttp.json(new HubHttp(this.port).get("/api/v1/routes", ADMIN_KEY)).path("files")) {
			if (file.get("file").asText().equals(name)) {
				return file.path("reason").asText("");
			}
		}
		return "";
	}

	@Test
	void aReloadWhileAThousandEventsFlowDeliversEveryOne() throws Exception {
		write(forwarder(5, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);
		List<String> ids = new ArrayList<>();
		AtomicBoolean publishing = new AtomicBoolean(true);
		Thread reloader = new Thread(() -> {
			int edit = 0;
			while (publishing.get()) {
				try {
					write(forwarder(5, "# edit " + edit++));
					Thread.sleep(700);
				}
				catch (Exception ex) {
					return;
				}
			}
		});
		int before = webhook.distinctEvents();
		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue())) {
			reloader.start();
			for (int i = 0; i < 1000; i++) {
				ObjectNode event = OutboxFixtures.example("inventory.restocked");
				ids.add(event.get("eventId").asText());
				this.publisher.publish(event);
			}
			publishing.set(false);
			reloader.join();
			await().atMost(Duration.ofSeconds(60)).until(() -> webhook.distinctEvents() - before == 1000);
			assertThat(ids).allMatch(id -> webhook.callsOf(id) >= 1);
			assertThat(deadLetters.receivedOf(ids)).as("nothing dead-lettered because of the reloads").isEmpty();
		}
		assertThat(fileStatus().get("status").asText()).isEqualTo("APPLIED");
	}

	@Test
	void deletingTheFileStopsTheRouteKeepsItsQueueAndRestoringDeliversWhatWaited() throws Exception {
		write(forwarder(1, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);

		Files.delete(this.file);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") == null);
		List<String> waiting = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			waiting.add(publishInventoryEvent());
		}
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("test-depth");
				Channel channel = connection.createChannel()) {
			await().atMost(Duration.ofSeconds(5)).until(() -> channel.messageCount(QUEUE) == 5);
		}
		assertThat(waiting).allMatch(id -> webhook.callsOf(id) == 0);

		write(forwarder(1, "# restored"));
		await().atMost(Duration.ofSeconds(15)).until(() -> waiting.stream().allMatch(id -> webhook.callsOf(id) == 1));
	}

	@Test
	void theShippedExampleRoutesLoad() throws Exception {
		// The shipped forwarder is an ordered route with 4 partitions (routes/*.yaml).
		topology.alsoDeleteOrdered("hub.inventory-webhook", 4);
		topology.alsoDelete("hub.landing-cms-cache");
		List<Path> copies = new ArrayList<>();
		try (var shipped = Files.newDirectoryStream(Path.of("routes"), "*.yaml")) {
			for (Path example : shipped) {
				Path copy = topology.routesDirectory().resolve(example.getFileName());
				Files.copy(example, copy);
				copies.add(copy);
			}
		}
		assertThat(copies).isNotEmpty();
		try {
			HubHttp http = new HubHttp(this.port);
			for (Path copy : copies) {
				String name = copy.getFileName().toString();
				await().atMost(Duration.ofSeconds(10)).until(() -> statusOf(http, name).equals("APPLIED"));
			}
			assertThat(this.camel.getRoute("inventory-webhook-forwarder")).isNotNull();
			assertThat(this.camel.getRoute("landing-cms-cache-purger")).isNotNull();
		}
		finally {
			for (Path copy : copies) {
				Files.delete(copy);
			}
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.camel.getRoute("inventory-webhook-forwarder") == null);
		}
	}

	@Test
	void theRouteListingShowsRoutesAndFilesAndRoutesCanBeStoppedAndStarted() throws Exception {
		write(forwarder(2, ""));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute("test-forwarder") != null);
		HubHttp http = new HubHttp(this.port);

		JsonNode listing = HubHttp.json(http.get("/api/v1/routes", ADMIN_KEY));
		JsonNode forwarder = route(listing, "test-forwarder");
		assertThat(forwarder.get("source").asText()).isEqualTo("file:forwarder.yaml");
		assertThat(forwarder.get("state").asText()).isEqualTo("Started");
		assertThat(forwarder.at("/redelivery/maximumAttempts").asText()).isEqualTo("2");
		assertThat(forwarder.has("handled")).isTrue();
		assertThat(route(listing, "outbox-relay-0").get("source").asText()).isEqualTo("java");

		HttpResponse<String> stopped = http.post("/api/v1/routes/test-forwarder/stop", ADMIN_KEY, "application/json",
				"");
		assertThat(HubHttp.json(stopped).get("state").asText()).isEqualTo("Stopped");
		String waiting = publishInventoryEvent();
		await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
		assertThat(webhook.callsOf(waiting)).isZero();
		HttpResponse<String> started = http.post("/api/v1/routes/test-forwarder/start", ADMIN_KEY, "application/json",
				"");
		assertThat(HubHttp.json(started).get("state").asText()).isEqualTo("Started");
		await().atMost(Duration.ofSeconds(10)).until(() -> webhook.callsOf(waiting) == 1);

		assertThat(http.post("/api/v1/routes/no-such-route/stop", ADMIN_KEY, "application/json", "").statusCode())
			.isEqualTo(404);
		assertThat(http.get("/api/v1/routes", null).statusCode()).isEqualTo(401);
	}

	private static JsonNode route(JsonNode listing, String id) {
		for (JsonNode route : listing.get("routes")) {
			if (route.get("id").asText().equals(id)) {
				return route;
			}
		}
		throw new AssertionError("route " + id + " not listed");
	}

	private String policyOf(String routeId) throws Exception {
		JsonNode listing = HubHttp.json(new HubHttp(this.port).get("/api/v1/routes", ADMIN_KEY));
		// Read while a file is being swapped, the listing was once not a route list (seen
		// once in CI): the caller's await asks again.
		for (JsonNode route : listing.path("routes")) {
			if (route.get("id").asText().equals(routeId)) {
				return route.at("/redelivery/maximumAttempts").asText();
			}
		}
		return null;
	}

	private JsonNode fileStatus() throws Exception {
		JsonNode listing = HubHttp.json(new HubHttp(this.port).get("/api/v1/routes", ADMIN_KEY));
		for (JsonNode file : listing.get("files")) {
			if (file.get("file").asText().equals("forwarder.yaml")) {
				return file;
			}
		}
		return null;
	}

	private static String statusOf(HubHttp http, String name) throws Exception {
		for (JsonNode file : HubHttp.json(http.get("/api/v1/routes", ADMIN_KEY)).get("files")) {
			if (file.get("file").asText().equals(name)) {
				return file.get("status").asText();
			}
		}
		return "";
	}

	private JsonNode awaitFileStatus(String status) throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			JsonNode file = fileStatus();
			return file != null && status.equals(file.get("status").asText());
		});
		return fileStatus();
	}

	private String publishInventoryEvent() throws Exception {
		ObjectNode event = OutboxFixtures.example("inventory.reserved");
		this.publisher.publish(event);
		return event.get("eventId").asText();
	}

	private static String failingEvent() {
		return OutboxFixtures.example("inventory.released").get("eventId").asText();
	}

	private static ObjectNode inventoryEvent(String eventId) {
		ObjectNode event = OutboxFixtures.example("inventory.released");
		event.put("eventId", eventId);
		webhook.answer(eventId, 503);
		return event;
	}

	private void write(String content) throws Exception {
		Path temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
		Files.writeString(temporary, content, StandardCharsets.UTF_8);
		Files.move(temporary, this.file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
				java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static String forwarder(int attempts, String comment) {
		return comment + "\n"
				+ YamlRoutes.consumer("test-forwarder", QUEUE, "inventory.#", "maximumAttempts",
						String.valueOf(attempts), "initialDelay", "100", "maxDelay", "500")
				+ YamlRoutes.webhookPost("test-forwarder-post", "{{hub.webhooks.inventory-url}}", 5000, false);
	}

	private static String forwarderOn(String queue) {
		return forwarder(1, "").replace("value: " + QUEUE + "\n", "value: " + queue + "\n");
	}

	private static String withPrefetch(String forwarder) {
		return forwarder.replace("      - name: bindings\n",
				"      - name: prefetch\n        value: \"7\"\n      - name: bindings\n");
	}

	private static WebhookServer startWebhook() {
		try {
			return WebhookServer.start();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
