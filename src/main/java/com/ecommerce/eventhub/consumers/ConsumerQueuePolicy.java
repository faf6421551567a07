package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import com.rabbitmq.client.Channel;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.stereotype.Component;

/**
 * Declares a consumer route's durable queue and binds it to the event exchange (template
 * parameters {@code queue} and {@code bindings}) before the route's consumer starts, so
 * neither a Java nor a YAML route needs topology of its own; registers the route's
 * counters and its settings ({@link ConsumerRoutes}).
 *
 * <p>
 * The queues and bindings it declared are remembered: when a route's bindings change on
 * reload, the dropped ones are removed (the queue stays, with its messages); and whenever
 * the broker connection is created again (after an outage, or when the broker was down at
 * start-up) everything is declared again, like Spring AMQP does for the Java-declared
 * topology.
 */
@Component
class ConsumerQueuePolicy extends RoutePolicySupport implements ConnectionListener {

	private static final Logger log = LoggerFactory.getLogger(ConsumerQueuePolicy.class);

	private final TopologyProperties topology;

	private final ConsumerMetrics metrics;

	private final AbstractConnectionFactory connectionFactory;

	private final ConsumerRoutes routes;

	/** Queue name to the binding patterns declared for it. */
	private final Map<String, Set<String>> declared = new ConcurrentHashMap<>();

	ConsumerQueuePolicy(TopologyProperties topology, ConsumerMetrics metrics,
			AbstractConnectionFactory connectionFactory, ConsumerRoutes routes) {
		this.topology = topology;
		this.metrics = metrics;
		this.connectionFactory = connectionFactory;
		this.routes = routes;
		connectionFactory.addConnectionListener(this);
	}

	@Override
	public void onRemove(Route route) {
		this.routes.remove(route.getRouteId());
	}

	@Override
	public void onInit(Route route) {
		this.metrics.register(route.getRouteId());
		ConsumerRoute consumer = this.routes.register(route).orElse(null);
		if (consumer == null) {
			return;
		}
		String queue = consumer.queue();
		Set<String> bindings = consumer.bindings();
		Set<String> previous = this.declared.put(queue, bindings);
		try (Connection connection = this.connectionFactory.createConnection();
				Channel channel = connection.createChannel(false)) {
			declare(channel, queue, bindings);
			if (previous != null) {
				Set<String> dropped = new HashSet<>(previous);
				dropped.removeAll(bindings);
				for (String pattern : dropped) {
					channel.queueUnbind(queue, this.topology.exchange(), pattern);
				}
			}
		}
		catch (IOException | TimeoutException | RuntimeException ex) {
			// Declared again when the broker connection comes back (onCreate).
			log.warn("Could not declare queue {} of route {} now: {}", queue, route.getRouteId(), ex.getMessage());
		}
	}

	@Override
	public void onCreate(Connection connection) {
		if (this.declared.isEmpty()) {
			return;
		}
		try (Channel channel = connection.createChannel(false)) {
			for (Map.Entry<String, Set<String>> queue : this.declared.entrySet()) {
				declare(channel, queue.getKey(), queue.getValue());
			}
		}
		catch (IOException | TimeoutException | RuntimeException ex) {
			log.warn("Could not declare the consumer queues again: {}", ex.getMessage());
		}
	}

	private void declare(Channel channel, String queueName, Set<String> bindings) throws IOException {
		Queue queue = TopologyConfiguration.consumerQueue(this.topology, queueName);
		channel.exchangeDeclare(this.topology.exchange(), "topic", true);
		channel.queueDeclare(queue.getName(), true, false, false, queue.getArguments());
		for (String pattern : bindings) {
			channel.queueBind(queue.getName(), this.topology.exchange(), pattern);
		}
	}

}
