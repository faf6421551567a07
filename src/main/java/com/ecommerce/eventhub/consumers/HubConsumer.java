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
 */
public record HubConsumer(String routeId, String queue, List<String> bindings, String handlerBean) {

	public HubConsumer {
		bindings = List.copyOf(bindings);
	}

}
