package com.ecommerce.eventhub.consumers;

import java.util.Arrays;
import java.util.Map;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.stereotype.Component;

/**
 * Declares a consumer route's durable queue and binds it to the event exchange (template parameters
 * {@code queue} and {@code bindings}) before the route's consumer starts, so a YAML route needs no
 * topology of its own, and registers the route's counters. The queue is never deleted: a stopped or removed route keeps its messages.
 */
@Component
class ConsumerQueuePolicy extends RoutePolicySupport {

	private static final Logger log = LoggerFactory.getLogger(ConsumerQueuePolicy.class);

	private final AmqpAdmin admin;

	private final TopologyProperties topology;

	private final ConsumerMetrics metrics;

	ConsumerQueuePolicy(AmqpAdmin admin, TopologyProperties topology, ConsumerMetrics metrics) {
		this.metrics = metrics;
		this.admin = admin;
		this.topology = topology;
	}

	@Override
	public void onInit(Route route) {
		this.metrics.register(route.getRouteId());
		RouteDefinition definition = route.getCamelContext()
			.getCamelContextExtension()
			.getContextPlugin(Model.class)
			.getRouteDefinition(route.getRouteId());
		Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
		if (parameters == null || parameters.get("queue") == null) {
			return;
		}
		String queueName = parameters.get("queue").toString();
		Object bindings = parameters.get("bindings");
		try {
			Queue queue = TopologyConfiguration.consumerQueue(this.topology, queueName);
			this.admin.declareQueue(queue);
			TopicExchange exchange = new TopicExchange(this.topology.exchange(), true, false);
			if (bindings != null && !bindings.toString().isBlank()) {
				for (String pattern : Arrays.stream(bindings.toString().split(",")).map(String::trim).toList()) {
					Binding binding = BindingBuilder.bind(queue).to(exchange).with(pattern);
					this.admin.declareBinding(binding);
				}
			}
		}
		catch (RuntimeException ex) {
			// The broker may be down: the consumer retries its connection, and the queue of a Java
			// consumer is declared again by Spring AMQP when the connection comes back.
			log.warn("Could not declare queue {} of route {}: {}", queueName, route.getRouteId(), ex.getMessage());
		}
	}

}
