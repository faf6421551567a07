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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the hub's RabbitMQ topology from {@link TopologyProperties}: the durable topic
 * exchange, the domain queues with their bindings (so no event is unroutable) and the dead-letter
 * queue with its TTL. Spring AMQP's {@code RabbitAdmin} declares these on every (re)connection;
 * {@link TopologyDeclarer} forces it before the relay publishes.
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
		declarables.add(durableQueue(topology, topology.deadLetterQueue(),
				Map.of("x-message-ttl", topology.deadLetterTtl().toMillis())));
		return new Declarables(declarables);
	}

	/**
	 * A durable queue of the configured type. Quorum queues get a delivery limit because RabbitMQ
	 * 3.10 sets none, and a message that crashes its consumer would otherwise loop forever.
	 * @param topology the topology settings
	 * @param name the queue name
	 * @param extraArguments arguments of this queue, e.g. a TTL
	 * @return the queue declaration
	 */
	public static Queue durableQueue(TopologyProperties topology, String name, Map<String, Object> extraArguments) {
		Map<String, Object> arguments = new HashMap<>(extraArguments);
		if (topology.queueType() == QueueType.QUORUM) {
			arguments.put("x-queue-type", "quorum");
			arguments.put("x-delivery-limit", topology.deliveryLimit());
		}
		return new Queue(name, true, false, false, arguments);
	}

}
