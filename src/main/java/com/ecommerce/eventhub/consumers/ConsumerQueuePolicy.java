package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.stereotype.Component;

/**
 * Declares a consumer route's durable queue and binds it to the event exchange (template
 * parameters {@code queue} and {@code bindings}) before the route's consumer starts, so
 * neither a Java nor a YAML route needs topology of its own; registers the route's
 * counters and its settings ({@link ConsumerRoutes}). An ordered route gets its partition
 * queues instead ({@link AggregatePartitions}).
 *
 * <p>
 * The queues and bindings it declared are remembered: when a route's bindings change on
 * reload, the dropped ones are removed (the queue stays, with its messages); and whenever
 * the broker connection is created again (after an outage, or when the broker was down at
 * start-up) everything is declared again, like Spring AMQP does for the Java-declared
 * topology. When an ordered route's partitions change, or a route becomes ordered, the
 * queues it no longer takes are unbound (they keep their messages, and a warning names
 * them).
 */
@Component
class ConsumerQueuePolicy extends RoutePolicySupport implements ConnectionListener {

	private static final Logger log = LoggerFactory.getLogger(ConsumerQueuePolicy.class);

	private final TopologyProperties topology;

	private final ConsumerMetrics metrics;

	private final AbstractConnectionFactory connectionFactory;

	private final ConsumerRoutes routes;

	/** Queue setting to what was declared for it. */
	private final Map<String, Layout> declared = new ConcurrentHashMap<>();

	ConsumerQueuePolicy(TopologyProperties topology, ConsumerMetrics metrics,
			AbstractConnectionFactory connectionFactory, ConsumerRoutes routes) {
		this.topology = topology;
		this.metrics = metrics;
		this.connectionFactory = connectionFactory;
		this.routes = routes;
		connectionFactory.addConnectionListener(this);
	}

	/**
	 * What a route's queue setting stands for on the broker.
	 *
	 * @param bindings the routing-key patterns
	 * @param partitions the partition queues of an ordered route, 0 for a plain queue
	 */
	record Layout(Set<String> bindings, int partitions) {

		boolean ordered() {
			return this.partitions > 0;
		}

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
		Layout layout = new Layout(consumer.bindings(), consumer.ordering().ordered()
				? AggregatePartitions.effective(this.topology, consumer.ordering().partitions()) : 0);
		Layout previous = this.declared.put(queue, layout);
		try (Connection connection = this.connectionFactory.createConnection()) {
			try (Channel channel = connection.createChannel(false)) {
				declare(channel, queue, layout);
				if (previous != null) {
					unbindDropped(channel, queue, previous, layout);
				}
			}
			if (layout.ordered()) {
				retireUnusedQueues(connection, queue, layout);
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
			for (Map.Entry<String, Layout> queue : this.declared.entrySet()) {
				declare(channel, queue.getKey(), queue.getValue());
			}
		}
		catch (IOException | TimeoutException | RuntimeException ex) {
			log.warn("Could not declare the consumer queues again: {}", ex.getMessage());
		}
	}

	private void declare(Channel channel, String queue, Layout layout) throws IOException {
		channel.exchangeDeclare(this.topology.exchange(), "topic", true);
		if (!layout.ordered()) {
			Queue declaration = TopologyConfiguration.consumerQueue(this.topology, queue);
			channel.queueDeclare(queue, true, false, false, declaration.getArguments());
			for (String pattern : layout.bindings()) {
				channel.queueBind(queue, this.topology.exchange(), pattern);
			}
			return;
		}
		for (Declarable declarable : AggregatePartitions.declarables(this.topology, queue, layout.bindings(),
				layout.partitions())) {
			declare(channel, declarable);
		}
		if (this.topology.rabbitmqExtensions()) {
			// A partition that went to another queue before the count changed.
			String exchange = AggregatePartitions.exchangeName(queue);
			for (int partition = 0; partition < AggregatePartitions.COUNT; partition++) {
				for (int index = 0; index < layout.partitions(); index++) {
					if (partition % layout.partitions() != index) {
						unbind(channel, AggregatePartitions
							.partitionBinding(AggregatePartitions.queueName(queue, index), exchange, partition));
					}
				}
			}
		}
	}

	private static void declare(Channel channel, Declarable declarable) throws IOException {
		if (declarable instanceof Queue queue) {
			channel.queueDeclare(queue.getName(), queue.isDurable(), queue.isExclusive(), queue.isAutoDelete(),
					queue.getArguments());
		}
		else if (declarable instanceof Exchange exchange) {
			channel.exchangeDeclare(exchange.getName(), exchange.getType(), exchange.isDurable(),
					exchange.isAutoDelete(), exchange.getArguments());
		}
		else if (declarable instanceof Binding binding) {
			if (binding.isDestinationQueue()) {
				channel.queueBind(binding.getDestination(), binding.getExchange(), binding.getRoutingKey(),
						binding.getArguments());
			}
			else {
				channel.exchangeBind(binding.getDestination(), binding.getExchange(), binding.getRoutingKey(),
						binding.getArguments());
			}
		}
	}

	private static void unbind(Channel channel, Binding binding) throws IOException {
		if (binding.isDestinationQueue()) {
			channel.queueUnbind(binding.getDestination(), binding.getExchange(), binding.getRoutingKey(),
					binding.getArguments());
		}
		else {
			channel.exchangeUnbind(binding.getDestination(), binding.getExchange(), binding.getRoutingKey(),
					binding.getArguments());
		}
	}

	private void unbindDropped(Channel channel, String queue, Layout previous, Layout layout) throws IOException {
		Set<String> dropped = new HashSet<>(previous.bindings());
		if (previous.ordered() == layout.ordered()) {
			dropped.removeAll(layout.bindings());
		}
		for (String pattern : dropped) {
			if (!previous.ordered()) {
				channel.queueUnbind(queue, this.topology.exchange(), pattern);
			}
			else if (this.topology.rabbitmqExtensions()) {
				channel.exchangeUnbind(AggregatePartitions.exchangeName(queue), this.topology.exchange(), pattern);
			}
			else {
				channel.queueUnbind(AggregatePartitions.queueName(queue, 0), this.topology.exchange(), pattern);
			}
		}
	}

	/**
	 * Unbinds what an ordered route no longer takes: its queue from before it was
	 * ordered, and partition queues beyond its count. Each check is a passive declaration
	 * on a channel of its own (a missing queue closes the channel).
	 */
	private void retireUnusedQueues(Connection connection, String queue, Layout layout) {
		retire(connection, queue, layout.bindings()
			.stream()
			.map(pattern -> new Binding(queue, Binding.DestinationType.QUEUE, this.topology.exchange(), pattern, null))
			.toList());
		for (int index = layout.partitions(); index < AggregatePartitions.COUNT; index++) {
			String stale = AggregatePartitions.queueName(queue, index);
			List<Binding> bindings = new java.util.ArrayList<>();
			for (int partition = 0; partition < AggregatePartitions.COUNT; partition++) {
				bindings.add(AggregatePartitions.partitionBinding(stale, AggregatePartitions.exchangeName(queue),
						partition));
			}
			for (String pattern : layout.bindings()) {
				bindings
					.add(new Binding(stale, Binding.DestinationType.QUEUE, this.topology.exchange(), pattern, null));
			}
			if (!retire(connection, stale, bindings)) {
				return; // partition queues are numbered from 0 without gaps
			}
		}
	}

	/**
	 * @return whether the queue exists
	 */
	private boolean retire(Connection connection, String queue, List<Binding> bindings) {
		try (Channel channel = connection.createChannel(false)) {
			AMQP.Queue.DeclareOk existing = channel.queueDeclarePassive(queue);
			for (Binding binding : bindings) {
				unbind(channel, binding);
			}
			if (existing.getMessageCount() > 0) {
				log.warn(
						"Queue {} is no longer taken by its route (now ordered, or fewer partitions) and still holds "
								+ "{} message(s): move them to the route's partitions or replay them, then delete it",
						queue, existing.getMessageCount());
			}
			return true;
		}
		catch (IOException | TimeoutException | RuntimeException ex) {
			return false;
		}
	}

}
