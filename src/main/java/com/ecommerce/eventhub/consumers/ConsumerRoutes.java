package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.tracing.EventTracing;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The hub consumer routes that exist now, each read once from its {@code hub-consumer}
 * template parameters when it is created ({@link ConsumerQueuePolicy#onInit}) and dropped
 * when it is removed, so nothing is looked up or parsed per message; with each its
 * circuit breaker ({@link PeerBreakers}).
 */
@Component
class ConsumerRoutes implements DisposableBean {

	private final CamelContext camel;

	private final Map<String, ConsumerRoute> routes = new ConcurrentHashMap<>();

	private final EventTracing tracing;

	private final PeerBreakers breakers;

	ConsumerRoutes(CamelContext camel, EventTracing tracing, PeerBreakers breakers) {
		this.camel = camel;
		this.tracing = tracing;
		this.breakers = breakers;
	}

	/**
	 * Reads a consumer route's settings from its template parameters and starts its
	 * attempt pool.
	 * @param route a route made from the {@code hub-consumer} template
	 * @return the consumer route, empty for a route of another kind
	 */
	Optional<ConsumerRoute> register(Route route) {
		RouteDefinition definition = route.getCamelContext()
			.getCamelContextExtension()
			.getContextPlugin(Model.class)
			.getRouteDefinition(route.getRouteId());
		Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
		if (parameters == null || parameters.get("queue") == null) {
			return Optional.empty();
		}
		String routeId = route.getRouteId();
		int concurrency = Integer.parseInt(text(parameters, "concurrency", "1"));
		ConsumerRoute consumer = new ConsumerRoute(routeId, text(parameters, "queue", null),
				patterns(text(parameters, "bindings", "")), handler(routeId, parameters),
				Integer.parseInt(text(parameters, "maximumAttempts", "1")), millis(parameters, "initialDelay"),
				Double.parseDouble(text(parameters, "multiplier", "1")), millis(parameters, "maxDelay"),
				millis(parameters, "attemptTimeout"),
				!ConsumerRoute.AT_MOST_ONCE
					.equals(text(parameters, ConsumerRoute.SIDE_EFFECTS, ConsumerRoute.AT_LEAST_ONCE)),
				new AttemptPool(routeId, concurrency), ordering(parameters),
				new ConsumerRoute.Breaker(Integer.parseInt(text(parameters, ConsumerRoute.BREAKER_FAILURES, "0")),
						millis(parameters, ConsumerRoute.BREAKER_PROBE_INTERVAL)));
		// The breaker before the route: an attempt of the new route finds it.
		this.breakers.register(routeId, consumer.breaker());
		ConsumerRoute previous = this.routes.put(routeId, consumer);
		if (previous != null) {
			retire(previous);
		}
		return Optional.of(consumer);
	}

	/**
	 * @param routeId a route id
	 * @return the consumer route of that id
	 * @throws IllegalStateException when no consumer route has that id
	 */
	ConsumerRoute get(String routeId) {
		ConsumerRoute route = this.routes.get(routeId);
		if (route == null) {
			throw new IllegalStateException("Route " + routeId + " is not a registered hub consumer");
		}
		return route;
	}

	/**
	 * @param routeId a route id
	 * @return the consumer route of that id, empty when there is none (any more)
	 */
	Optional<ConsumerRoute> find(String routeId) {
		return Optional.ofNullable(this.routes.get(routeId));
	}

	/**
	 * @param routeId a route id
	 * @return the route's circuit breaker, null when it has none
	 * ({@code breakerFailures=0} or no such route)
	 */
	PeerBreaker breakerOf(String routeId) {
		return this.breakers.get(routeId);
	}

	/**
	 * Forgets a removed route and its circuit breaker; attempts already queued on its
	 * pool still run.
	 * @param routeId the route id
	 */
	void remove(String routeId) {
		ConsumerRoute removed = this.routes.remove(routeId);
		if (removed != null) {
			retire(removed);
		}
		// After the pool: attempts waiting for the breaker are refused a thread and fail
		// without calling the peer.
		this.breakers.remove(routeId);
	}

	/**
	 * Shuts a replaced or removed route's attempt pool down, and stops its target's
	 * producer once the attempts still queued have ended.
	 */
	private static void retire(ConsumerRoute route) {
		if (route.handler() instanceof EndpointHandler endpoint) {
			route.attempts().shutdown(endpoint::stop);
		}
		else {
			route.attempts().shutdown();
		}
	}

	/**
	 * The ordering a route's template parameters ask for.
	 * @param parameters the template parameters
	 * @return the ordering; {@link ConsumerRoute.Ordering#NONE} when not ordered
	 */
	static ConsumerRoute.Ordering ordering(Map<String, Object> parameters) {
		if (!Boolean.parseBoolean(text(parameters, ConsumerRoute.ORDERED, "false"))) {
			return ConsumerRoute.Ordering.NONE;
		}
		String afterDeadLetter = text(parameters, ConsumerRoute.AFTER_DEAD_LETTER, "skip");
		if (!"skip".equals(afterDeadLetter) && !"park".equals(afterDeadLetter)) {
			throw new IllegalArgumentException("afterDeadLetter must be skip or park, got " + afterDeadLetter);
		}
		return new ConsumerRoute.Ordering(true, Integer.parseInt(text(parameters, ConsumerRoute.PARTITIONS, "4")),
				"park".equals(afterDeadLetter));
	}

	private EventHandler handler(String routeId, Map<String, Object> parameters) {
		String name = text(parameters, "handler", "");
		if (!name.isBlank()) {
			EventHandler handler = this.camel.getRegistry().lookupByNameAndType(name, EventHandler.class);
			if (handler == null) {
				throw new IllegalStateException("No EventHandler bean named '" + name + "' for route " + routeId);
			}
			return handler;
		}
		String target = text(parameters, "target", "");
		if (target.isBlank()) {
			throw new IllegalStateException("Route " + routeId + " has neither handler nor target");
		}
		Set<Integer> majors = Arrays.stream(text(parameters, "majors", "1").split(","))
			.map(String::trim)
			.map(Integer::valueOf)
			.collect(Collectors.toUnmodifiableSet());
		// A producer of its own, not one shared across reloads (see
		// EndpointHandler.stop).
		return new EndpointHandler(this.camel.createProducerTemplate(), target, majors, this.tracing);
	}

	@Override
	public void destroy() {
		this.routes.keySet().forEach(this::remove);
	}

	private static String text(Map<String, Object> parameters, String name, String fallback) {
		Object value = parameters.get(name);
		return (value != null) ? value.toString() : fallback;
	}

	private static Duration millis(Map<String, Object> parameters, String name) {
		return Duration.ofMillis(Long.parseLong(text(parameters, name, "0")));
	}

	/**
	 * @param bindings comma-separated routing-key patterns
	 * @return the patterns, blanks dropped
	 */
	static Set<String> patterns(String bindings) {
		Set<String> patterns = new LinkedHashSet<>();
		Arrays.stream(bindings.split(",")).map(String::trim).filter(p -> !p.isEmpty()).forEach(patterns::add);
		return Set.copyOf(patterns);
	}

}
