package com.ecommerce.eventhub.consumers;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import org.apache.camel.CamelContext;
import org.apache.camel.component.springrabbit.DefaultListenerContainerFactory;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Creates the listener containers of the spring-rabbitmq consumers. An ordered consumer
 * route ({@code ordered: true}) takes its partition queues ({@link AggregatePartitions})
 * instead of the queue it names, one consumer and one unacknowledged message per
 * partition queue: a message is acknowledged only when it is handled or dead-lettered,
 * its retries included, so the next event of its partition waits for it and is never
 * handled first. Every other consumer is created as spring-rabbitmq does. Every container
 * reads a delivery's properties with {@link TolerantMessageProperties}.
 */
@Component
class PartitionedQueues extends DefaultListenerContainerFactory {

	private final CamelContext camel;

	private final TopologyProperties topology;

	PartitionedQueues(CamelContext camel, TopologyProperties topology) {
		this.camel = camel;
		this.topology = topology;
	}

	@Override
	public AbstractMessageListenerContainer createListenerContainer(SpringRabbitMQEndpoint endpoint) {
		AbstractMessageListenerContainer container = super.createListenerContainer(endpoint);
		container.setMessagePropertiesConverter(new TolerantMessageProperties());
		ordering(endpoint.getQueues()).ifPresent(ordering -> {
			int partitions = AggregatePartitions.effective(this.topology, ordering.partitions());
			container
				.setQueueNames(AggregatePartitions.queueNames(endpoint.getQueues(), partitions).toArray(String[]::new));
			container.setPrefetchCount(1);
			if (container instanceof DirectMessageListenerContainer direct) {
				direct.setConsumersPerQueue(1);
			}
		});
		return container;
	}

	/**
	 * The ordering of the consumer route that takes a queue, read from the route's
	 * definition: the container is created before the route is registered.
	 */
	private Optional<ConsumerRoute.Ordering> ordering(String queue) {
		Model model = this.camel.getCamelContextExtension().getContextPlugin(Model.class);
		for (RouteDefinition definition : model.getRouteDefinitions()) {
			Map<String, Object> parameters = definition.getTemplateParameters();
			if (parameters != null && Objects.equals(queue, String.valueOf(parameters.get("queue")))) {
				ConsumerRoute.Ordering ordering = ConsumerRoutes.ordering(parameters);
				return ordering.ordered() ? Optional.of(ordering) : Optional.empty();
			}
		}
		return Optional.empty();
	}

}
