package com.ecommerce.eventhub.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.EventTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Binding.DestinationType;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;

/**
 * The AsyncAPI 3.0 description of what the hub puts on RabbitMQ, generated from what the
 * hub really uses so it cannot drift from it: the event exchange (routing key =
 * eventType), one message per event type whose payload is the envelope carrying that
 * type's payload schema (the JSON Schema files under {@code schemas/}, their
 * {@code $ref}s rewritten to {@code components/schemas}), the AMQP headers of the wire
 * contract, and every queue the hub declares with its bindings and arguments.
 *
 * <p>
 * The schema files are read once, when this is constructed; {@link #build} puts the
 * channels and operations of a given set of consumer queues around them.
 */
final class AsyncApiDocument {

	static final String ASYNCAPI = "3.0.0";

	/** The channel of the event exchange; queue channels are {@code queue.<name>}. */
	static final String EVENTS_CHANNEL = "events";

	static final String QUEUE_CHANNEL_PREFIX = "queue.";

	/** The message of the dead-letter queues, beside one message per event type. */
	static final String DEAD_LETTER_MESSAGE = "deadLetter";

	private static final String AMQP_BINDING_VERSION = "0.3.0";

	private static final String SCHEMAS = "#/components/schemas/";

	private final ObjectMapper json = new ObjectMapper();

	private final TopologyProperties topology;

	private final Collection<Declarable> declarables;

	/** components.schemas: the schema files, their refs rewritten, and the headers. */
	private final ObjectNode schemas = this.json.createObjectNode();

	/** Each event type's payload schemas (component names), one per major version. */
	private final Map<String, List<String>> payloadSchemas = new LinkedHashMap<>();

	/**
	 * Reads the schema files and checks that the document is self-contained.
	 * @param topology the topology settings
	 * @param eventSchemas the majors each event type has a schema for
	 * @param declarables what the hub declares from configuration (exchange, domain and
	 * dead-letter queues, bindings)
	 * @throws IllegalStateException when a schema refers to something the document would
	 * not carry
	 */
	AsyncApiDocument(TopologyProperties topology, EventSchemas eventSchemas, Collection<Declarable> declarables) {
		this.topology = topology;
		this.declarables = List.copyOf(declarables);
		addSchemaFile("common.schema.json", false);
		addSchemaFile("envelope.schema.json", true);
		for (String type : EventTypes.ALL) {
			for (int major : eventSchemas.supportedMajors(type)) {
				String name = addSchemaFile("events/" + type + ".v" + major + ".schema.json", true);
				this.payloadSchemas.computeIfAbsent(type, key -> new ArrayList<>()).add(name);
			}
		}
		this.schemas.set("eventHeaders", eventHeaders());
		this.schemas.set("deadLetterHeaders", deadLetterHeaders());
		build(List.of());
	}

	/**
	 * A hub consumer route's own queue, declared when the route is created.
	 *
	 * @param routeId the route id
	 * @param queue the queue name
	 * @param bindings routing-key patterns bound to it on the event exchange
	 * @param partitions an ordered route's partition queues, 0 for a plain queue
	 */
	record ConsumerQueue(String routeId, String queue, List<String> bindings, int partitions) {

		/**
		 * @return the queues the route takes: its queue, or its partition queues
		 */
		List<String> queues() {
			return (this.partitions > 0) ? AggregatePartitions.queueNames(this.queue, this.partitions)
					: List.of(this.queue);
		}

	}

	/**
	 * @param consumers the consumer queues that exist now
	 * @return the whole document
	 */
	ObjectNode build(List<ConsumerQueue> consumers) {
		Map<String, Queue> queues = new LinkedHashMap<>();
		List<Binding> bindings = new ArrayList<>();
		Exchange exchange = null;
		for (Declarable declarable : this.declarables) {
			if (declarable instanceof Queue queue) {
				queues.putIfAbsent(queue.getName(), queue);
			}
			else if (declarable instanceof Binding binding) {
				bindings.add(binding);
			}
			else if (declarable instanceof Exchange candidate && candidate.getName().equals(this.topology.exchange())) {
				exchange = candidate;
			}
		}
		if (exchange == null) {
			throw new IllegalStateException("The hub declares no exchange " + this.topology.exchange());
		}
		for (ConsumerQueue consumer : consumers) {
			// An ordered route's partition queues are shown with the route's patterns:
			// they
			// get those events, split by the aggregatePartition header
			// (AggregatePartitions).
			Map<String, Queue> declared = new LinkedHashMap<>();
			if (consumer.partitions() > 0) {
				AggregatePartitions
					.declarables(this.topology, consumer.queue(), consumer.bindings(), consumer.partitions())
					.stream()
					.filter(Queue.class::isInstance)
					.map(Queue.class::cast)
					.forEach(queue -> declared.put(queue.getName(), queue));
			}
			else {
				declared.put(consumer.queue(), TopologyConfiguration.consumerQueue(this.topology, consumer.queue()));
			}
			for (Queue queue : declared.values()) {
				queues.putIfAbsent(queue.getName(), queue);
				for (String pattern : consumer.bindings()) {
					bindings
						.add(new Binding(queue.getName(), DestinationType.QUEUE, exchange.getName(), pattern, null));
				}
			}
		}

		ObjectNode document = this.json.createObjectNode();
		document.put("asyncapi", ASYNCAPI);
		ObjectNode info = document.putObject("info");
		info.put("title", "Event Hub events");
		info.put("version", "1.0");
		info.put("description", "The events the Event Hub publishes to RabbitMQ and the queues it declares, "
				+ "generated from the hub's schema files and its declared topology (README \"Wire contract\").");
		document.put("defaultContentType", "application/json");
		ObjectNode channels = document.putObject("channels");
		channels.set(EVENTS_CHANNEL, eventsChannel(exchange));
		for (Queue queue : queues.values()) {
			List<Binding> bound = bindings.stream()
				.filter(binding -> binding.isDestinationQueue() && binding.getDestination().equals(queue.getName()))
				.toList();
			channels.set(QUEUE_CHANNEL_PREFIX + queue.getName(), queueChannel(queue, bound, consumers));
		}

		ObjectNode operations = document.putObject("operations");
		operation(operations, "publishEvents", "send", EVENTS_CHANNEL, channels,
				"The relay publishes each outbox event with its type as routing key, persistent and mandatory, and "
						+ "marks it published only once RabbitMQ confirmed it.")
			.putObject("bindings")
			.putObject("amqp")
			.put("deliveryMode", 2)
			.put("mandatory", true)
			.put("timestamp", true)
			.put("bindingVersion", AMQP_BINDING_VERSION);
		operation(operations, "publishDeadLetters", "send", QUEUE_CHANNEL_PREFIX + this.topology.deadLetterQueue(),
				channels, "A route that gives up on a message publishes it here, through the default exchange.");
		operation(operations, "archiveDeadLetters", "receive",
				QUEUE_CHANNEL_PREFIX + TopologyConfiguration.archiveQueue(this.topology), channels,
				"Expired dead letters are moved into the archive table in PostgreSQL.");
		for (ConsumerQueue consumer : consumers) {
			for (String queue : consumer.queues()) {
				String id = "consume." + consumer.routeId()
						+ (consumer.partitions() > 0 ? queue.substring(consumer.queue().length()) : "");
				operation(operations, id, "receive", QUEUE_CHANNEL_PREFIX + queue, channels,
						"Route " + consumer.routeId() + " takes " + queue + " with manual acknowledgements"
								+ (consumer.partitions() > 0 ? ", one message at a time, as its single active consumer."
										: "."))
					.putObject("bindings")
					.putObject("amqp")
					.put("ack", true)
					.put("bindingVersion", AMQP_BINDING_VERSION);
			}
		}

		ObjectNode components = document.putObject("components");
		components.set("schemas", this.schemas);
		ObjectNode messages = components.putObject("messages");
		this.payloadSchemas.forEach((type, payloads) -> messages.set(type, eventMessage(type, payloads)));
		messages.set(DEAD_LETTER_MESSAGE, deadLetterMessage());
		components.putObject("correlationIds")
			.putObject("correlationId")
			.put("description", "The AMQP correlation_id property, which equals the envelope's correlationId.")
			.put("location", "$message.payload#/correlationId");
		requireResolvable(document, document);
		return document;
	}

	private ObjectNode eventsChannel(Exchange exchange) {
		ObjectNode channel = this.json.createObjectNode();
		channel.put("address", "{eventType}");
		channel.put("title", "Exchange " + exchange.getName());
		channel.put("description", "The " + exchange.getType() + " exchange every event is published to, with "
				+ "its eventType as routing key (e.g. order.cart.item-added).");
		ObjectNode parameter = channel.putObject("parameters").putObject("eventType");
		parameter.put("description", "The routing key: the event's type.");
		this.payloadSchemas.keySet().forEach(parameter.putArray("enum")::add);
		parameter.put("location", "$message.payload#/eventType");
		ObjectNode messages = channel.putObject("messages");
		this.payloadSchemas.keySet().forEach(type -> messages.set(type, messageRef(type)));
		channel.putObject("bindings")
			.putObject("amqp")
			.put("is", "routingKey")
			.put("bindingVersion", AMQP_BINDING_VERSION)
			.putObject("exchange")
			.put("name", exchange.getName())
			.put("type", exchange.getType())
			.put("durable", exchange.isDurable())
			.put("autoDelete", exchange.isAutoDelete());
		return channel;
	}

	private ObjectNode queueChannel(Queue queue, List<Binding> bound, List<ConsumerQueue> consumers) {
		String name = queue.getName();
		ObjectNode channel = this.json.createObjectNode();
		channel.put("address", name);
		channel.put("title", "Queue " + name);
		ObjectNode messages = channel.putObject("messages");
		Set<String> deadLetterQueues = Set.of(this.topology.deadLetterQueue(),
				TopologyConfiguration.archiveQueue(this.topology), TopologyConfiguration.parkedQueue(this.topology));
		if (deadLetterQueues.contains(name)) {
			messages.set(DEAD_LETTER_MESSAGE, messageRef(DEAD_LETTER_MESSAGE));
		}
		for (String type : this.payloadSchemas.keySet()) {
			if (bound.stream()
				.anyMatch(binding -> binding.getExchange().equals(this.topology.exchange())
						&& topicMatches(binding.getRoutingKey(), type))) {
				messages.set(type, messageRef(type));
			}
		}
		channel.put("description", queueDescription(queue, bound, consumers));
		ObjectNode amqp = channel.putObject("bindings").putObject("amqp");
		amqp.put("is", "queue");
		amqp.putObject("queue")
			.put("name", name)
			.put("durable", queue.isDurable())
			.put("exclusive", queue.isExclusive())
			.put("autoDelete", queue.isAutoDelete());
		ArrayNode routing = amqp.putArray("x-bindings");
		bound.forEach(binding -> routing.addObject()
			.put("exchange", binding.getExchange())
			.put("routingKey", binding.getRoutingKey()));
		amqp.set("x-arguments", this.json.valueToTree(new TreeMap<>(queue.getArguments())));
		amqp.put("bindingVersion", AMQP_BINDING_VERSION);
		return channel;
	}

	private String queueDescription(Queue queue, List<Binding> bound, List<ConsumerQueue> consumers) {
		String name = queue.getName();
		Object expiresInto = queue.getArguments().get("x-dead-letter-routing-key");
		if (name.equals(this.topology.deadLetterQueue())) {
			return "Dead letters: what a route gave up on, with its original body and the failure headers."
					+ ((expiresInto != null) ? " They expire (x-message-ttl) into " + expiresInto + "." : "");
		}
		if (name.equals(TopologyConfiguration.archiveQueue(this.topology))) {
			return "Expired dead letters, which the hub moves into its archive table in PostgreSQL.";
		}
		if (name.equals(TopologyConfiguration.parkedQueue(this.topology))) {
			return "Expired dead letters the archive table refused; they wait for a person.";
		}
		String patterns = String.join(", ", bound.stream().map(Binding::getRoutingKey).toList());
		for (ConsumerQueue consumer : consumers) {
			if (consumer.partitions() > 0 && consumer.queues().contains(name)) {
				return "A partition queue of ordered route " + consumer.routeId() + " (" + consumer.partitions()
						+ " in all): the events matching " + patterns + " reach it through the headers exchange "
						+ AggregatePartitions.exchangeName(consumer.queue()) + " when their "
						+ AggregatePartitions.HEADER + " header modulo " + consumer.partitions() + " is its number.";
			}
		}
		String routes = String.join(", ",
				consumers.stream().filter(c -> c.queue().equals(name)).map(ConsumerQueue::routeId).toList());
		return (routes.isEmpty() ? "Domain queue" : "The queue of route " + routes) + ", bound with " + patterns + ".";
	}

	/** An operation on a channel, with every message of that channel. */
	private ObjectNode operation(ObjectNode operations, String id, String action, String channelId, ObjectNode channels,
			String summary) {
		ObjectNode operation = operations.putObject(id);
		operation.put("action", action);
		operation.put("summary", summary);
		operation.set("channel", ref("#/channels/" + pointerToken(channelId)));
		ArrayNode messages = operation.putArray("messages");
		channels.path(channelId)
			.path("messages")
			.properties()
			.forEach(message -> messages
				.add(ref("#/channels/" + pointerToken(channelId) + "/messages/" + pointerToken(message.getKey()))));
		return operation;
	}

	private ObjectNode eventMessage(String type, List<String> payloads) {
		ObjectNode message = this.json.createObjectNode();
		message.put("name", type);
		message.put("title", type);
		message.put("summary", "The envelope of event type " + type + ", its routing key and AMQP type.");
		message.put("contentType", "application/json");
		message.set("headers", ref(SCHEMAS + "eventHeaders"));
		ObjectNode typed = this.json.createObjectNode().put("type", "object");
		ObjectNode properties = typed.putObject("properties");
		properties.putObject("eventType").put("const", type);
		if (payloads.size() == 1) {
			properties.set("payload", ref(SCHEMAS + payloads.get(0)));
		}
		else {
			ArrayNode majors = properties.putObject("payload").putArray("anyOf");
			payloads.forEach(payload -> majors.add(ref(SCHEMAS + payload)));
		}
		message.putObject("payload").putArray("allOf").add(ref(SCHEMAS + "envelope")).add(typed);
		message.set("correlationId", ref("#/components/correlationIds/correlationId"));
		message.putObject("bindings")
			.putObject("amqp")
			.put("messageType", type)
			.put("bindingVersion", AMQP_BINDING_VERSION);
		return message;
	}

	private ObjectNode deadLetterMessage() {
		ObjectNode message = this.json.createObjectNode();
		message.put("name", DEAD_LETTER_MESSAGE);
		message.put("title", "Dead letter");
		message.put("summary", "A message a route gave up on: its original body and headers, unchanged, plus the "
				+ "failure headers.");
		message.set("headers", ref(SCHEMAS + "deadLetterHeaders"));
		message.putObject("payload")
			.put("description", "The original body, unchanged: usually an event envelope, possibly an invalid one.");
		return message;
	}

	private ObjectNode eventHeaders() {
		ObjectNode headers = this.json.createObjectNode().put("type", "object");
		headers.put("description",
				"The AMQP headers of every event. The AMQP properties carry the rest: "
						+ "content_type application/json, delivery_mode 2 (persistent), message_id = eventId, type = "
						+ "eventType, correlation_id = correlationId, timestamp = occurredAt (seconds).");
		ObjectNode properties = headers.putObject("properties");
		for (String name : List.of("eventVersion", "aggregateType", "aggregateId", "causationId")) {
			properties.set(name, ref(SCHEMAS + "envelope/properties/" + name));
		}
		properties.putObject(EventLag.PUBLISHED_AT_HEADER)
			.put("type", "string")
			.put("format", "date-time")
			.put("description", "When the relay published the event, ISO-8601 UTC with milliseconds; consumers "
					+ "measure their lag from it.");
		properties.putObject(AggregatePartitions.HEADER)
			.put("type", "integer")
			.put("minimum", 0)
			.put("maximum", AggregatePartitions.COUNT - 1)
			.put("description", "CRC-32 of aggregateType/aggregateId (UTF-8) modulo " + AggregatePartitions.COUNT
					+ ": where ordered consumers take the event.");
		properties.putObject("traceparent")
			.put("type", "string")
			.put("pattern", "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
			.put("description", "W3C trace context of the relay's publish (tracing on), or the one the producer "
					+ "wrote in the outbox row's traceparent column (tracing off); absent when neither.");
		headers.putArray("required")
			.add("eventVersion")
			.add("aggregateType")
			.add("aggregateId")
			.add(AggregatePartitions.HEADER)
			.add(EventLag.PUBLISHED_AT_HEADER);
		return headers;
	}

	private ObjectNode deadLetterHeaders() {
		ObjectNode headers = this.json.createObjectNode().put("type", "object");
		headers.put("description", "The failure headers of a dead letter the hub published, beside the original "
				+ "message's headers. A message RabbitMQ dead-lettered itself (a consumer queue's delivery limit) "
				+ "carries RabbitMQ's x-death header instead.");
		ObjectNode properties = headers.putObject("properties");
		properties.putObject(DeadLetterHeaders.ORIGINAL_EXCHANGE).put("type", "string");
		properties.putObject(DeadLetterHeaders.ORIGINAL_ROUTING_KEY).put("type", "string");
		properties.putObject(DeadLetterHeaders.FAILED_ROUTE)
			.put("type", "string")
			.put("description", "The id of the route that gave up.");
		properties.putObject(DeadLetterHeaders.EXCEPTION_CLASS).put("type", "string");
		properties.putObject(DeadLetterHeaders.EXCEPTION_MESSAGE)
			.put("type", "string")
			.put("description", "Truncated to " + DeadLetterHeaders.MAX_MESSAGE_LENGTH + " characters.");
		properties.putObject(DeadLetterHeaders.ATTEMPTS).put("type", "integer").put("minimum", 0);
		properties.putObject(DeadLetterHeaders.FAILED_AT).put("type", "string").put("format", "date-time");
		return headers;
	}

	/**
	 * Adds a schema file to components.schemas: its {@code $defs} as
	 * {@code <name>.<def>}, its body (without {@code $id} and {@code $schema}) as
	 * {@code <name>}, every {@code $ref} rewritten to point there.
	 * @param file the file below {@code schemas/}
	 * @param body whether the file's body is a schema (common.schema.json only holds
	 * definitions)
	 * @return the component name of the body, e.g. {@code order.placed.v1}
	 */
	private String addSchemaFile(String file, boolean body) {
		URI id = URI.create(EventSchemas.ID_PREFIX + file);
		ObjectNode schema;
		try (InputStream in = AsyncApiDocument.class.getClassLoader().getResourceAsStream("schemas/" + file)) {
			if (in == null) {
				throw new IllegalStateException("No schema file schemas/" + file);
			}
			schema = (ObjectNode) this.json.readTree(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		rewriteRefs(schema, id);
		String name = componentName(id.toString());
		JsonNode defs = schema.remove("$defs");
		if (defs != null) {
			defs.properties().forEach(def -> this.schemas.set(name + "." + def.getKey(), def.getValue()));
		}
		if (body) {
			schema.remove(List.of("$id", "$schema"));
			this.schemas.set(name, schema);
		}
		return name;
	}

	/**
	 * Points every {@code $ref} of a schema file at components.schemas: a file's body is
	 * {@code <name>}, a definition {@code <name>.<def>}.
	 */
	private static void rewriteRefs(JsonNode node, URI base) {
		if (node.isObject() && node.path("$ref").isTextual()) {
			String target = base.resolve(node.get("$ref").textValue()).toString();
			int hash = target.indexOf('#');
			String file = (hash < 0) ? target : target.substring(0, hash);
			String fragment = (hash < 0) ? "" : target.substring(hash + 1);
			String name = componentName(file);
			if (fragment.startsWith("/$defs/") && fragment.indexOf('/', 7) < 0) {
				name = name + "." + fragment.substring(7);
			}
			else if (!fragment.isEmpty()) {
				throw new IllegalStateException("Unsupported $ref " + target + " in " + base);
			}
			((ObjectNode) node).put("$ref", SCHEMAS + name);
		}
		node.forEach(child -> rewriteRefs(child, base));
	}

	/**
	 * The component name of a schema file: {@code events/order.placed.v1.schema.json} →
	 * {@code order.placed.v1}.
	 */
	private static String componentName(String fileId) {
		if (!fileId.startsWith(EventSchemas.ID_PREFIX) || !fileId.endsWith(".schema.json")) {
			throw new IllegalStateException("A $ref to " + fileId + ", which is no schema file of the hub");
		}
		String file = fileId.substring(EventSchemas.ID_PREFIX.length(), fileId.length() - ".schema.json".length());
		return file.startsWith("events/") ? file.substring("events/".length()) : file;
	}

	/** Fails unless every {@code $ref} points into the document itself. */
	private static void requireResolvable(JsonNode node, JsonNode document) {
		JsonNode ref = node.path("$ref");
		if (ref.isTextual()
				&& (!ref.textValue().startsWith("#/") || document.at(ref.textValue().substring(1)).isMissingNode())) {
			throw new IllegalStateException("The AsyncAPI document refers to " + ref.textValue() + ", which it lacks");
		}
		node.forEach(child -> requireResolvable(child, document));
	}

	/**
	 * Whether a topic exchange routes a routing key to a binding: words are
	 * dot-separated, {@code *} is one word, {@code #} zero or more.
	 * @param pattern the binding's pattern
	 * @param routingKey the routing key
	 * @return whether it matches
	 */
	static boolean topicMatches(String pattern, String routingKey) {
		return topicMatches(pattern.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
	}

	private static boolean topicMatches(String[] pattern, int p, String[] words, int w) {
		if (p == pattern.length) {
			return w == words.length;
		}
		if (pattern[p].equals("#")) {
			for (int skip = w; skip <= words.length; skip++) {
				if (topicMatches(pattern, p + 1, words, skip)) {
					return true;
				}
			}
			return false;
		}
		return w < words.length && (pattern[p].equals("*") || pattern[p].equals(words[w]))
				&& topicMatches(pattern, p + 1, words, w + 1);
	}

	private ObjectNode messageRef(String message) {
		return ref("#/components/messages/" + pointerToken(message));
	}

	private ObjectNode ref(String target) {
		return this.json.createObjectNode().put("$ref", target);
	}

	/** A name as one JSON Pointer token (RFC 6901): a queue name may contain '/'. */
	private static String pointerToken(String name) {
		return name.replace("~", "~0").replace("/", "~1");
	}

}
