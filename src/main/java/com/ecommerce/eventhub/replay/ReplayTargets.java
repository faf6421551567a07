package com.ecommerce.eventhub.replay;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.stereotype.Component;

/**
 * Finds the queue(s) of a consumer route from its {@code hub-consumer} template
 * parameters ({@code queue}, {@code bindings}, {@code ordered}, {@code partitions}), the
 * way the consumer foundation reads them when it creates the route, so a replay goes
 * exactly where the route takes its messages from.
 */
@Component
class ReplayTargets {

	private final CamelContext camel;

	private final TopologyProperties topology;

	ReplayTargets(CamelContext camel, TopologyProperties topology) {
		this.camel = camel;
		this.topology = topology;
	}

	/**
	 * @param routeId a route id
	 * @return where a replay to it goes
	 * @throws ScopedReplay.UnknownRouteException when no route has that id
	 * @throws ReplayRequest.InvalidReplayException when the route is no hub consumer
	 */
	ReplayTarget resolve(String routeId) {
		if (this.camel.getRoute(routeId) == null) {
			throw new ScopedReplay.UnknownRouteException(routeId);
		}
		RouteDefinition definition = this.camel.getCamelContextExtension()
			.getContextPlugin(Model.class)
			.getRouteDefinition(routeId);
		Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
		if (parameters == null || parameters.get("queue") == null) {
			throw new ReplayRequest.InvalidReplayException("Route " + routeId
					+ " is not a consumer route: a replay goes to the queue of a hub consumer (Java or YAML).");
		}
		List<String> bindings = Arrays.stream(String.valueOf(parameters.getOrDefault("bindings", "")).split(","))
			.map(String::trim)
			.filter(pattern -> !pattern.isEmpty())
			.toList();
		boolean ordered = Boolean.parseBoolean(String.valueOf(parameters.get("ordered")));
		int partitions = ordered ? AggregatePartitions.effective(this.topology, partitions(parameters)) : 1;
		return new ReplayTarget(routeId, parameters.get("queue").toString(), bindings, ordered, partitions);
	}

	private static int partitions(Map<String, Object> parameters) {
		Object value = parameters.get("partitions");
		int partitions = (value != null) ? Integer.parseInt(value.toString().trim()) : 4;
		if (partitions < 1 || partitions > AggregatePartitions.COUNT) {
			throw new IllegalStateException("partitions out of range: " + partitions);
		}
		return partitions;
	}

}
