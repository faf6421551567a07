package com.ecommerce.eventhub.consumers;

import java.util.List;

/**
 * A Java-defined hub consumer: declare one as a bean and the foundation creates its
 * durable queue, binds it to the event exchange and runs route {@code routeId} from the
 * {@code hub-consumer} template with the route's redelivery policy
 * ({@code hub.consumers.routes.<routeId>.*}).
 *
 * @param routeId the route id, kebab-case {@code <capability>-<flow>}
 * @param queue the consumer's own durable queue, e.g. {@code hub.notifications}
 * @param bindings routing-key patterns bound to the queue on the event exchange
 * @param handlerBean the bean name of the {@link EventHandler}
 * @param ordered whether each aggregate's events are handled one at a time, in the order
 * the relay published them
 * @param partitions ordered consumers: how many queues the events are spread over by
 * aggregate, handled in parallel (1 to 64)
 * @param parkAfterDeadLetter ordered consumers: whether a dead-lettered event stops its
 * aggregate until it is replayed and handled
 */
public record HubConsumer(String routeId, String queue, List<String> bindings, String handlerBean, boolean ordered,
		int partitions, boolean parkAfterDeadLetter) {

	public HubConsumer {
		bindings = List.copyOf(bindings);
	}

	/**
	 * An unordered consumer: events are handled in parallel, a retried one may be
	 * overtaken.
	 * @param routeId the route id
	 * @param queue the queue
	 * @param bindings the routing-key patterns
	 * @param handlerBean the handler's bean name
	 */
	public HubConsumer(String routeId, String queue, List<String> bindings, String handlerBean) {
		this(routeId, queue, bindings, handlerBean, false, 1, false);
	}

	/**
	 * @param partitionCount how many queues the events are spread over by aggregate
	 * @param park whether a dead letter stops its aggregate
	 * @return this consumer, ordered per aggregate
	 */
	public HubConsumer inOrder(int partitionCount, boolean park) {
		return new HubConsumer(this.routeId, this.queue, this.bindings, this.handlerBean, true, partitionCount, park);
	}

}
