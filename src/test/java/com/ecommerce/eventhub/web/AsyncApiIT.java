package com.ecommerce.eventhub.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The AsyncAPI document at {@code /asyncapi.yaml}: served without a key, AsyncAPI 3.0,
 * self-contained, one message per event type whose payload is exactly the schema files,
 * and exactly the queues and bindings the running hub declares, following YAML consumer
 * routes as they come and go.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "hub.routes.poll-interval=300ms",
		"hub.security.api-keys[0].name=operator", "hub.security.api-keys[0].key=" + AsyncApiIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true" })
class AsyncApiIT {

	static final String ADMIN_KEY = "asyncapi-admin-key-0123456789";

	static final TestTopology topology = TestTopology.of(AsyncApiIT.class);

	static final String YAML_QUEUE = topology.consumerQueue("yaml-consumer");

	private static final String YAML_ROUTE = "asyncapi-yaml-consumer";

	private static final ObjectMapper JSON = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@Autowired
	TopologyProperties topologyProperties;

	@Autowired
	CamelContext camel;

	HubHttp http;

	Path routeFile;

	@BeforeEach
	void setUp() {
		this.http = new HubHttp(this.port);
		this.routeFile = topology.routesDirectory().resolve("asyncapi-consumer.yaml");
	}

	@AfterEach
	void removeRouteFile() throws IOException {
		Files.deleteIfExists(this.routeFile);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute(YAML_ROUTE) == null);
	}

	@Test
	void theDocumentIsServedAsYamlWithoutAKeyWhileTheApiStillNeedsOne() throws Exception {
		HttpResponse<String> document = this.http.get("/asyncapi.yaml", null);
		assertThat(document.statusCode()).isEqualTo(200);
		assertThat(document.headers().firstValue("Content-Type"))
			.hasValueSatisfying(contentType -> assertThat(contentType).startsWith("application/yaml"));
		assertThat(this.http.get("/asyncapi.yaml", "not-a-key").statusCode()).isEqualTo(200);

		assertThat(this.http.get("/api/v1/routes", null).statusCode()).isEqualTo(401);
		assertThat(this.http.get("/api/v1/routes", ADMIN_KEY).statusCode()).isEqualTo(200);
	}

	@Test
	void everyEventTypeHasOneMessageWhosePayloadIsItsSchemaFile() throws Exception {
		JsonNode document = fetch();
		assertThat(document.path("asyncapi").asText()).startsWith("3.0.");
		assertThat(document.path("info").path("title").isTextual()).isTrue();
		assertSelfContained(document, document);

		Map<String, List<String>> files = eventSchemaFiles();
		assertThat(files).hasSize(21);
		Set<String> messages = new TreeSet<>();
		document.at("/components/messages").fieldNames().forEachRemaining(messages::add);
		messages.remove("deadLetter");
		assertThat(messages).isEqualTo(files.keySet());

		JsonNode envelope = schemaFile("envelope.schema.json");
		files.forEach((type, schemaFiles) -> {
			JsonNode message = document.at("/components/messages/" + type);
			JsonNode payload = message.path("payload").path("allOf");
			assertThat(resolve(payload.get(0), document)).as(type + " envelope").isEqualTo(envelope);
			JsonNode typed = payload.get(1).path("properties");
			assertThat(typed.at("/eventType/const").asText()).isEqualTo(type);
			List<JsonNode> majors = new ArrayList<>();
			if (schemaFiles.size() == 1) {
				majors.add(resolve(typed.path("payload"), document));
			}
			else {
				typed.at("/payload/anyOf").forEach(major -> majors.add(resolve(major, document)));
			}
			assertThat(majors).as(type + " payload")
				.containsExactlyElementsOf(schemaFiles.stream().map(AsyncApiIT::schemaFile).toList());

			JsonNode headers = document.at(message.at("/headers/$ref").asText().substring(1)).path("properties");
			assertThat(fieldNames(headers)).containsExactlyInAnyOrder("eventVersion", "aggregateType", "aggregateId",
					"causationId", "x-published-at", "traceparent", "aggregatePartition");
			for (String header : List.of("eventVersion", "aggregateType", "aggregateId", "causationId")) {
				assertThat(resolve(headers.get(header), document)).as(header)
					.isEqualTo(envelope.path("properties").path(header));
			}
			assertThat(headers.at("/x-published-at/format").asText()).isEqualTo("date-time");
			assertThat(message.at("/bindings/amqp/messageType").asText()).isEqualTo(type);
			assertThat(message.path("contentType").asText()).isEqualTo("application/json");
		});

		JsonNode events = document.at("/channels/events");
		JsonNode exchange = events.at("/bindings/amqp/exchange");
		assertThat(this.topologyProperties.exchange()).isEqualTo(topology.exchange());
		assertThat(exchange.path("name").asText()).isEqualTo(topology.exchange());
		assertThat(exchange.path("type").asText()).isEqualTo("topic");
		assertThat(exchange.path("durable").asBoolean()).isTrue();
		assertThat(events.at("/bindings/amqp/is").asText()).isEqualTo("routingKey");
		assertThat(events.path("address").asText()).isEqualTo("{eventType}");
		assertThat(textValues(events.at("/parameters/eventType/enum"))).isEqualTo(files.keySet());
		assertThat(fieldNames(events.path("messages"))).containsExactlyInAnyOrderElementsOf(files.keySet());
		assertThat(document.at("/operations/publishEvents/action").asText()).isEqualTo("send");
		assertThat(document.at("/operations/publishEvents/channel/$ref").asText()).isEqualTo("#/channels/events");
	}

	@Test
	void theQueuesAreExactlyThoseTheHubDeclares() throws Exception {
		Map<String, Set<String>> declared = declaredQueues();
		JsonNode document = fetch();
		assertThat(documentedQueues(document)).isEqualTo(declared);
		try (Connection connection = TestServices.rabbit().newConnection("asyncapi-it");
				Channel channel = connection.createChannel()) {
			for (String queue : declared.keySet()) {
				channel.queueDeclarePassive(queue);
			}
		}

		JsonNode deadLetters = queueChannel(document, topology.deadLetterQueue());
		assertThat(fieldNames(deadLetters.path("messages"))).containsExactly("deadLetter");
		assertThat(fieldNames(document.at("/components/schemas/deadLetterHeaders/properties"))).contains(
				"x-original-exchange", "x-original-routing-key", "x-failed-route", "x-exception-class",
				"x-exception-message", "x-attempts", "x-failed-at");
		assertThat(fieldNames(queueChannel(document, topology.queue("order.events")).path("messages")))
			.containsExactlyInAnyOrderElementsOf(
					eventSchemaFiles().keySet().stream().filter(type -> type.startsWith("order.")).toList());
		for (HubConsumer consumer : this.context.getBeansOfType(HubConsumer.class).values()) {
			JsonNode operation = document.path("operations").path("consume." + consumer.routeId());
			assertThat(operation.path("action").asText()).as(consumer.routeId()).isEqualTo("receive");
			assertThat(operation.at("/channel/$ref").asText()).isEqualTo("#/channels/queue." + consumer.queue());
		}
	}

	@Test
	void aYamlConsumerRouteIsDocumentedWhileItExists() throws Exception {
		Files.writeString(this.routeFile, """
				- templatedRoute:
				    routeTemplateRef: hub-consumer
				    routeId: %s
				    parameters:
				      - name: queue
				        value: %s
				      - name: bindings
				        value: "landing-cms.#, product.created"
				      - name: target
				        value: direct:asyncapi-yaml-consumer-log
				- route:
				    id: asyncapi-yaml-consumer-log
				    from:
				      uri: direct:asyncapi-yaml-consumer-log
				      steps:
				        - log:
				            message: "${exchangeProperty.hubEventId}"
				""".formatted(YAML_ROUTE, YAML_QUEUE));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute(YAML_ROUTE) != null);

		Map<String, Set<String>> declared = declaredQueues();
		declared.put(YAML_QUEUE, new TreeSet<>(
				Set.of(topology.exchange() + " landing-cms.#", topology.exchange() + " product.created")));
		JsonNode document = fetch();
		assertThat(documentedQueues(document)).isEqualTo(declared);
		assertThat(fieldNames(queueChannel(document, YAML_QUEUE).path("messages"))).containsExactlyInAnyOrder(
				"landing-cms.content-updated", "landing-cms.content-published", "product.created");
		assertThat(document.at("/operations/consume." + YAML_ROUTE + "/action").asText()).isEqualTo("receive");

		Files.delete(this.routeFile);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.camel.getRoute(YAML_ROUTE) == null);
		JsonNode after = fetch();
		assertThat(documentedQueues(after)).isEqualTo(declaredQueues());
		assertThat(after.path("operations").has("consume." + YAML_ROUTE)).isFalse();
	}

	private JsonNode fetch() throws Exception {
		HttpResponse<String> response = this.http.get("/asyncapi.yaml", null);
		assertThat(response.statusCode()).isEqualTo(200);
		return new YAMLMapper().readTree(response.body());
	}

	/**
	 * What the running hub declares, queue by queue with its bindings as
	 * {@code "exchange routingKey"}: Spring AMQP's declarables and the Java consumers'
	 * queues.
	 */
	private Map<String, Set<String>> declaredQueues() {
		List<Declarable> declarables = new ArrayList<>(this.context.getBeansOfType(Declarable.class).values());
		this.context.getBeansOfType(Declarables.class)
			.values()
			.forEach(collection -> declarables.addAll(collection.getDeclarables()));
		Map<String, Set<String>> queues = new TreeMap<>();
		for (Declarable declarable : declarables) {
			if (declarable instanceof Queue queue) {
				queues.computeIfAbsent(queue.getName(), name -> new TreeSet<>());
			}
			else if (declarable instanceof Binding binding && binding.isDestinationQueue()) {
				queues.computeIfAbsent(binding.getDestination(), name -> new TreeSet<>())
					.add(binding.getExchange() + " " + binding.getRoutingKey());
			}
		}
		for (HubConsumer consumer : this.context.getBeansOfType(HubConsumer.class).values()) {
			Set<String> bindings = queues.computeIfAbsent(consumer.queue(), name -> new TreeSet<>());
			consumer.bindings().forEach(pattern -> bindings.add(this.topologyProperties.exchange() + " " + pattern));
		}
		assertThat(queues).containsKeys(topology.domainQueues().toArray(String[]::new));
		return queues;
	}

	/** The queue channels of the document, in the form of {@link #declaredQueues()}. */
	private static Map<String, Set<String>> documentedQueues(JsonNode document) {
		Map<String, Set<String>> queues = new TreeMap<>();
		document.path("channels").forEach(channel -> {
			JsonNode amqp = channel.at("/bindings/amqp");
			if (amqp.path("is").asText().equals("queue")) {
				String name = amqp.at("/queue/name").asText();
				assertThat(channel.path("address").asText()).isEqualTo(name);
				assertThat(amqp.at("/queue/durable").asBoolean()).as(name).isTrue();
				Set<String> bindings = new TreeSet<>();
				amqp.path("x-bindings")
					.forEach(binding -> bindings
						.add(binding.path("exchange").asText() + " " + binding.path("routingKey").asText()));
				assertThat(queues.put(name, bindings)).as(name).isNull();
			}
		});
		return queues;
	}

	private static JsonNode queueChannel(JsonNode document, String queue) {
		JsonNode channel = document.path("channels").path("queue." + queue);
		assertThat(channel.isObject()).as(queue).isTrue();
		return channel;
	}

	/** Each event type and its payload schema files, by major version. */
	private static Map<String, List<String>> eventSchemaFiles() throws IOException {
		Map<String, List<String>> files = new TreeMap<>();
		for (Resource resource : new PathMatchingResourcePatternResolver()
			.getResources("classpath:schemas/events/*.schema.json")) {
			String file = resource.getFilename();
			String type = file.replaceFirst("\\.v[0-9]+\\.schema\\.json$", "");
			files.computeIfAbsent(type, key -> new ArrayList<>()).add("events/" + file);
		}
		files.values().forEach(list -> list.sort(null));
		return files;
	}

	/**
	 * A schema file as the document should carry it: every {@code $ref} replaced by what
	 * it points at (resolved against the file's {@code $id}, as JSON Schema does),
	 * without {@code $id}, {@code $schema} and {@code $defs}.
	 */
	private static JsonNode schemaFile(String file) {
		URI id = URI.create(EventSchemas.ID_PREFIX + file);
		ObjectNode schema = (ObjectNode) inlineFile(readSchemaFile(id), id);
		schema.remove(List.of("$id", "$schema", "$defs"));
		return schema;
	}

	private static JsonNode inlineFile(JsonNode node, URI base) {
		return inline(node, ref -> {
			URI target = base.resolve(ref);
			URI file = URI.create(target.toString().replaceFirst("#.*$", ""));
			String fragment = (target.getFragment() != null) ? target.getFragment() : "";
			return inlineFile(readSchemaFile(file).at(fragment), file);
		});
	}

	private static JsonNode readSchemaFile(URI id) {
		String path = "schemas/" + id.toString().substring(EventSchemas.ID_PREFIX.length());
		try (InputStream in = AsyncApiIT.class.getClassLoader().getResourceAsStream(path)) {
			assertThat(in).as(path).isNotNull();
			return JSON.readTree(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @param node a schema of the document, or a reference to one
	 * @param document the document
	 * @return the schema with every reference inlined
	 */
	private static JsonNode resolve(JsonNode node, JsonNode document) {
		JsonNode ref = node.path("$ref");
		return inlineDocument(ref.isTextual() ? document.at(ref.asText().substring(1)) : node, document);
	}

	private static JsonNode inlineDocument(JsonNode node, JsonNode document) {
		return inline(node, ref -> inlineDocument(document.at(ref.substring(1)), document));
	}

	/**
	 * A copy with every {@code $ref} replaced by the (inlined) node it points at, kept
	 * under the key {@code $ref}: two schemas that split their definitions differently
	 * compare equal.
	 */
	private static JsonNode inline(JsonNode node, Function<String, JsonNode> resolve) {
		if (node.isObject()) {
			ObjectNode copy = JSON.createObjectNode();
			node.properties()
				.forEach(field -> copy.set(field.getKey(),
						(field.getKey().equals("$ref") && field.getValue().isTextual())
								? resolve.apply(field.getValue().textValue()) : inline(field.getValue(), resolve)));
			return copy;
		}
		if (node.isArray()) {
			ArrayNode copy = JSON.createArrayNode();
			node.forEach(item -> copy.add(inline(item, resolve)));
			return copy;
		}
		return node;
	}

	/** Every {@code $ref} points into the document, at something that exists. */
	private static void assertSelfContained(JsonNode node, JsonNode document) {
		JsonNode ref = node.path("$ref");
		if (ref.isTextual()) {
			assertThat(ref.asText()).startsWith("#/");
			assertThat(document.at(ref.asText().substring(1)).isMissingNode()).as(ref.asText()).isFalse();
		}
		node.forEach(child -> assertSelfContained(child, document));
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		node.fieldNames().forEachRemaining(names::add);
		return names;
	}

	private static Set<String> textValues(JsonNode array) {
		Set<String> values = new TreeSet<>();
		array.forEach(value -> values.add(value.asText()));
		return values;
	}

}
