package com.ecommerce.eventhub.routes;

import java.util.Map;

/**
 * One route of the running hub as operators see it.
 *
 * @param id the route id
 * @param source {@code java} or {@code file:<name>}
 * @param state Camel's status: {@code Started}, {@code Stopped}, ...
 * @param from the endpoint it consumes from
 * @param queue a hub consumer's queue; null for other routes
 * @param bindings a hub consumer's routing-key patterns, comma-separated; null for others
 * @param ordered whether a hub consumer handles each aggregate's events in order
 * @param partitions an ordered consumer's partitions as configured
 * @param redelivery a hub consumer's redelivery policy by parameter name; null for others
 * @param handled events a hub consumer handled (since start-up)
 * @param failed failed attempts of a hub consumer (since start-up)
 */
public record RouteView(String id, String source, String state, String from, String queue, String bindings,
		boolean ordered, int partitions, Map<String, Object> redelivery, double handled, double failed) {

	/**
	 * @return whether the route is a hub consumer
	 */
	public boolean consumer() {
		return this.queue != null;
	}

}
