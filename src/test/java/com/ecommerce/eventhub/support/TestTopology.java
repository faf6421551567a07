package com.ecommerce.eventhub.support;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.rabbitmq.client.Channel;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A test class's own database schema, exchange and queues, so test classes never see each
 * other's rows or messages and the suite can run twice in a row. Register it with
 * {@code @DynamicPropertySource} and call {@link #cleanup()} after the class.
 */
public final class TestTopology {

	/** The domain queues of application.yaml: suffix and binding pattern. */
	private static final Map<String, String> DOMAIN_QUEUES = new LinkedHashMap<>();

	static {
		DOMAIN_QUEUES.put("order.events", "order.#");
		DOMAIN_QUEUES.put("product.events", "product.#");
		DOMAIN_QUEUES.put("inventory.events", "inventory.#");
		DOMAIN_QUEUES.put("landing-cms.events", "landing-cms.#");
		DOMAIN_QUEUES.put("email.events", "email.#");
	}

	private final String id;

	private final List<String> consumerQueues = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final List<String> exchanges = new java.util.concurrent.CopyOnWriteArrayList<>();

	private java.nio.file.Path routesDirectory;

	private TestTopology(String id) {
		this.id = id;
	}

	private static final Map<Class<?>, TestTopology> BY_TEST_CLASS = new java.util.concurrent.ConcurrentHashMap<>();

	/**
	 * The topology of a {@code @HubIntegrationTest} class, created on first use, named
	 * after the class.
	 * @param testClass the test class
	 * @return its topology
	 */
	public static TestTopology of(Class<?> testClass) {
		return BY_TEST_CLASS.computeIfAbsent(testClass,
				type -> unique(type.getSimpleName().replaceAll("IT$", "").toLowerCase(Locale.ROOT)));
	}

	/**
	 * Removes a test class's topology (after the class).
	 * @param testClass the test class
	 * @throws Exception when a service cannot be reached
	 */
	static void release(Class<?> testClass) throws Exception {
		TestTopology topology = BY_TEST_CLASS.remove(testClass);
		if (topology != null) {
			topology.cleanup();
		}
	}

	/**
	 * A fresh topology for one test class.
	 * @param name a short name of the test, used in the generated names
	 * @return the topology
	 */
	public static TestTopology unique(String name) {
		TestServices.requireRunning();
		String random = UUID.randomUUID().toString().substring(0, 8);
		return new TestTopology((name + "_" + random).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"));
	}

	public String schema() {
		return "t_" + this.id;
	}

	public String exchange() {
		return "t." + this.id + ".ecommerce.events";
	}

	public String deadLetterQueue() {
		return "t." + this.id + ".dead-letter";
	}

	/**
	 * The test's name for a domain queue of the design.
	 * @param designName e.g. {@code order.events}
	 * @return e.g. {@code t.relay_1a2b3c4d.order.events}
	 */
	public String queue(String designName) {
		if (!DOMAIN_QUEUES.containsKey(designName)) {
			throw new IllegalArgumentException("Not a domain queue: " + designName);
		}
		return "t." + this.id + "." + designName;
	}

	/**
	 * The test's domain queue an event type is routed to.
	 * @param eventType e.g. {@code order.cart.cleared}
	 * @return the queue name
	 */
	public String queueFor(String eventType) {
		String prefix = eventType.substring(0, eventType.indexOf('.'));
		return queue(prefix + ".events");
	}

	/**
	 * Points the hub at this topology.
	 * @param registry the test's dynamic properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("hub.schema", this::schema);
		registry.add("hub.topology.exchange", this::exchange);
		registry.add("hub.topology.dead-letter-queue", this::deadLetterQueue);
		String notifications = consumerQueue("notifications");
		String email = consumerQueue("email");
		registry.add("hub.notifications.queue", () -> notifications);
		registry.add("hub.routes.directory", this::routesDirectory);
		registry.add("hub.mail.queue", () -> email);
		int index = 0;
		for (Map.Entry<String, String> entry : DOMAIN_QUEUES.entrySet()) {
			String prefix = "hub.topology.domain-queues[" + index++ + "]";
			registry.add(prefix + ".name", () -> queue(entry.getKey()));
			registry.add(prefix + ".bindings[0]", entry::getValue);
		}
	}

	/**
	 * A consumer queue owned by this topology (deleted by {@link #cleanup()}).
	 * @param name a short name, e.g. {@code flaky}
	 * @return e.g. {@code t.consumers_1a2b3c4d.flaky}
	 */
	public String consumerQueue(String name) {
		String queue = "t." + this.id + "." + name;
		this.consumerQueues.add(queue);
		return queue;
	}

	/**
	 * A route folder of this test's own (empty until the test writes files), so the
	 * shipped example routes do not start in every test's hub.
	 * @return the folder
	 */
	public java.nio.file.Path routesDirectory() {
		try {
			if (this.routesDirectory == null) {
				this.routesDirectory = java.nio.file.Files.createTempDirectory("hub-routes-" + this.id);
			}
			return this.routesDirectory;
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/**
	 * Deletes a queue of a fixed name (e.g. one a shipped route file declares) on
	 * cleanup.
	 * @param queue the queue name
	 */
	public void alsoDelete(String queue) {
		this.consumerQueues.add(queue);
	}

	/**
	 * An ordered consumer's queue setting owned by this topology: its partition queues
	 * and its partitions exchange are deleted by {@link #cleanup()}.
	 * @param name a short name, e.g. {@code ordered}
	 * @param partitions the route's partitions
	 * @return the queue setting, e.g. {@code t.ordered_1a2b3c4d.ordered}
	 */
	public String orderedConsumerQueue(String name, int partitions) {
		String queue = "t." + this.id + "." + name;
		alsoDeleteOrdered(queue, partitions);
		return queue;
	}

	/**
	 * An ordered consumer's queue setting a test loads from outside this topology (a
	 * shipped route file): {@link #cleanup()} deletes its partition queues and its
	 * partitions exchange.
	 * @param queue the route's queue setting, e.g. {@code hub.inventory-webhook}
	 * @param partitions the route's partitions
	 */
	public void alsoDeleteOrdered(String queue, int partitions) {
		for (int index = 0; index < partitions; index++) {
			this.consumerQueues.add(com.ecommerce.eventhub.topology.AggregatePartitions.queueName(queue, index));
		}
		this.exchanges.add(com.ecommerce.eventhub.topology.AggregatePartitions.exchangeName(queue));
	}

	/** The domain queues and the dead-letter queue: what the relay publishes to. */
	public List<String> domainQueues() {
		List<String> queues = new java.util.ArrayList<>(DOMAIN_QUEUES.keySet().stream().map(this::queue).toList());
		queues.add(deadLetterQueue());
		return queues;
	}

	/** All queue names this topology declares, consumer queues included. */
	public List<String> queues() {
		List<String> queues = new java.util.ArrayList<>(DOMAIN_QUEUES.keySet().stream().map(this::queue).toList());
		queues.add(deadLetterQueue());
		queues.add(deadLetterQueue() + ".archive");
		queues.add(deadLetterQueue() + ".parked");
		queues.addAll(this.consumerQueues);
		return queues;
	}

	/**
	 * Deletes the queues, the exchange, the schema and the routes folder (when one was
	 * made).
	 * @throws Exception when a service cannot be reached
	 */
	public void cleanup() throws Exception {
		deleteRoutesDirectory();
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("test-cleanup");
				Channel channel = connection.createChannel()) {
			for (String queue : queues()) {
				channel.queueDelete(queue);
			}
			for (String exchange : this.exchanges) {
				channel.exchangeDelete(exchange);
			}
			channel.exchangeDelete(exchange());
		}
		try (Connection connection = TestServices.jdbc(); Statement statement = connection.createStatement()) {
			statement.execute("DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
		}
	}

	/**
	 * Deletes the temporary routes folder and what tests wrote into it; symbolic links (a
	 * ConfigMap's layout) are deleted, not followed.
	 */
	private void deleteRoutesDirectory() throws java.io.IOException {
		if (this.routesDirectory == null || !java.nio.file.Files.exists(this.routesDirectory)) {
			return;
		}
		try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(this.routesDirectory)) {
			for (java.nio.file.Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				java.nio.file.Files.deleteIfExists(path);
			}
		}
	}

}
