package com.ecommerce.eventhub.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.config.TopologyProperties.DomainQueue;
import com.ecommerce.eventhub.config.TopologyProperties.QueueType;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.boot.autoconfigure.amqp.ConnectionFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the hub's RabbitMQ topology from {@link TopologyProperties}: the durable topic
 * exchange, the domain queues with their bindings (so no event is unroutable) and the
 * dead-letter queue with its TTL. Spring AMQP's {@code RabbitAdmin} declares these on
 * every (re)connection; {@link TopologyDeclarer} forces it before the relay publishes.
 */
@Configuration(proxyBeanMethods = false)
public class TopologyConfiguration {

	@Bean
	Declarables hubTopology(TopologyProperties topology) {
		List<Declarable> declarables = new ArrayList<>();
		TopicExchange exchange = new TopicExchange(topology.exchange(), true, false);
		declarables.add(exchange);
		for (DomainQueue domainQueue : topology.domainQueues()) {
			Queue queue = durableQueue(topology, domainQueue.name(), Map.of());
			declarables.add(queue);
			for (String pattern : domainQueue.bindings()) {
				Binding binding = BindingBuilder.bind(queue).to(exchange).with(pattern);
				declarables.add(binding);
			}
		}
		declarables.add(deadLetterQueue(topology));
		declarables.add(new Queue(archiveQueue(topology), true, false, false, queueTypeArgument(topology)));
		declarables.add(new Queue(parkedQueue(topology), true, false, false, queueTypeArgument(topology)));
		return new Declarables(declarables);
	}

	/**
	 * Every client connection, Spring's included, gives up on a channel-level answer
	 * (such as opening a channel) after {@link BrokerConnections#CHANNEL_RPC_TIMEOUT};
	 * the client's own default, ten minutes, would let a hung node wedge a relay worker.
	 * @return the customizer of the RabbitMQ client's factory
	 */
	@Bean
	static ConnectionFactoryCustomizer channelRpcTimeout() {
		return factory -> factory.setChannelRpcTimeout((int) BrokerConnections.CHANNEL_RPC_TIMEOUT.toMillis());
	}

	/**
	 * The dead-letter queue. Its messages expire after the TTL into the archive queue,
	 * which the hub drains into PostgreSQL, so a dead letter is archived rather than
	 * dropped. It has no delivery limit even as a quorum queue: browsing it returns
	 * messages, and that must never drop one.
	 * @param topology the topology settings
	 * @return the queue declaration
	 */
	public static Queue deadLetterQueue(TopologyProperties topology) {
		Map<String, Object> arguments = queueTypeArgument(topology);
		if (topology.rabbitmqExtensions()) {
			// Without a dead-letter target the TTL would drop expired dead letters.
			arguments.put("x-message-ttl", topology.deadLetterTtl().toMillis());
			deadLetterTo(topology, archiveQueue(topology), arguments);
		}
		return new Queue(topology.deadLetterQueue(), true, false, false, arguments);
	}

	/**
	 * @param topology the topology settings
	 * @return the name of the queue expired dead letters move to,
	 * {@code <dead-letter-queue>.archive}
	 */
	public static String archiveQueue(TopologyProperties topology) {
		return topology.deadLetterQueue() + ".archive";
	}

	/**
	 * @param topology the topology settings
	 * @return the queue where an expired dead letter the archive table refused waits for
	 * a person, {@code <dead-letter-queue>.parked}
	 */
	public static String parkedQueue(TopologyProperties topology) {
		return topology.deadLetterQueue() + ".parked";
	}

	/**
	 * A hub consumer's own queue. A message the broker stops delivering after the
	 * delivery limit (a consumer that crashes on it again and again) goes to the
	 * dead-letter queue, not away.
	 * @param topology the topology settings
	 * @param name the queue name
	 * @return the queue declaration
	 */
	public static Queue consumerQueue(TopologyProperties topology, String name) {
		Map<String, Object> arguments = new HashMap<>();
		if (topology.rabbitmqExtensions()) {
			deadLetterTo(topology, topology.deadLetterQueue(), arguments);
		}
		return durableQueue(topology, name, arguments);
	}

	/**
	 * Dead-letters into a queue through the default exchange. Quorum queues dead-letter
	 * at most once by default: a message whose dead-lettering the broker cannot complete
	 * is dropped. At-least-once keeps it in the source queue until the target took it
	 * (RabbitMQ 3.10+, requires the reject-publish overflow).
	 */
	private static void deadLetterTo(TopologyProperties topology, String queue, Map<String, Object> arguments) {
		arguments.put("x-dead-letter-exchange", "");
		arguments.put("x-dead-letter-routing-key", queue);
		if (topology.queueType() == QueueType.QUORUM) {
			arguments.put("x-dead-letter-strategy", "at-least-once");
			arguments.put("x-overflow", "reject-publish");
		}
	}

	private static Map<String, Object> queueTypeArgument(TopologyProperties topology) {
		Map<String, Object> arguments = new HashMap<>();
		if (topology.queueType() == QueueType.QUORUM) {
			arguments.put("x-queue-type", "quorum");
		}
		return arguments;
	}

	/**
	 * A durable queue of the configured type. Quorum queues get a delivery limit because
	 * RabbitMQ 3.10 sets none, and a message that crashes its consumer would otherwise
	 * loop forever.
	 * @param topology the topology settings
	 * @param name the queue name
	 * @param extraArguments arguments of this queue, e.g. a TTL
	 * @return the queue declaration
	 */
	public static Queue durableQueue(TopologyProperties topology, String name, Map<String, Object> extraArguments) {
		Map<String, Object> arguments = queueTypeArgument(topology);
		arguments.putAll(extraArguments);
		if (topology.queueType() == QueueType.QUORUM) {
			arguments.put("x-delivery-limit", topology.deliveryLimit());
		}
		return new Queue(name, true, false, false, arguments);
	}

}
