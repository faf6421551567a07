package com.ecommerce.eventhub.consumers;

import java.util.ArrayList;
import java.util.List;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.TopologyConfiguration;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares each Java consumer's queue and its bindings on the event exchange. The consumers do not
 * declare anything themselves ({@code autoDeclare=false}): spring-rabbitmq would declare a direct
 * exchange and non-durable queues.
 */
@Configuration(proxyBeanMethods = false)
class ConsumerQueues {

	@Bean
	Declarables hubConsumerQueues(ObjectProvider<HubConsumer> consumers, TopologyProperties topology) {
		List<Declarable> declarables = new ArrayList<>();
		TopicExchange exchange = new TopicExchange(topology.exchange(), true, false);
		for (HubConsumer consumer : consumers.orderedStream().toList()) {
			Queue queue = TopologyConfiguration.consumerQueue(topology, consumer.queue());
			declarables.add(queue);
			for (String pattern : consumer.bindings()) {
				declarables.add(BindingBuilder.bind(queue).to(exchange).with(pattern));
			}
		}
		return new Declarables(declarables);
	}

}
