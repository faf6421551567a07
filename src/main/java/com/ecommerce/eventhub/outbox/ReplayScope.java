package com.ecommerce.eventhub.outbox;

import java.time.Instant;
import java.util.List;

/**
 * Which published events a scoped replay takes: those still in the outbox
 * ({@code PUBLISHED}, not yet removed by retention) that the target route's bindings
 * route, narrowed by every criterion that is set.
 *
 * @param bindings the target route's binding patterns (RabbitMQ topic patterns): only
 * events the route would have received qualify; none means nothing qualifies
 * @param eventTypes these event types only; empty for any
 * @param aggregateId this aggregate only, or null
 * @param correlationId this correlation only, or null
 * @param publishedFrom published at or after this instant ({@code published_at}), or null
 * @param publishedTo published before this instant, or null
 */
public record ReplayScope(List<String> bindings, List<String> eventTypes, String aggregateId, String correlationId,
		Instant publishedFrom, Instant publishedTo) {

	public ReplayScope {
		bindings = List.copyOf(bindings);
		eventTypes = (eventTypes != null) ? List.copyOf(eventTypes) : List.of();
	}

}
