package com.ecommerce.eventhub.config;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Consumer routes ({@code hub.consumers.*}): the default redelivery policy of the spec,
 * the default circuit breaker, and per-route overrides by route id.
 *
 * @param redelivery the policy of every consumer route that does not override it
 * @param breaker the circuit breaker of every consumer route that does not override it
 * @param routes overrides by route id, e.g.
 * {@code hub.consumers.routes.notification-order-events.maximum-attempts}
 * @param concurrency consumers per route (parallel deliveries)
 * @param prefetch unacknowledged messages a route's consumer holds, including those
 * waiting for a delayed redelivery or for the route's circuit breaker
 */
@Validated
@ConfigurationProperties("hub.consumers")
public record ConsumerProperties(@DefaultValue @Valid Redelivery redelivery, @DefaultValue @Valid Breaker breaker,
		Map<String, @Valid RouteOverride> routes, @DefaultValue("2") @Positive int concurrency,
		@DefaultValue("100") @Positive int prefetch) {

	public ConsumerProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
	}

	/**
	 * The effective circuit breaker of a route: its overrides over the default.
	 * @param routeId the consumer route
	 * @return the breaker settings
	 */
	public Breaker breakerFor(String routeId) {
		RouteOverride override = this.routes.get(routeId);
		return (override != null) ? override.over(this.breaker) : this.breaker;
	}

	/**
	 * @param routeId the consumer route
	 * @return the route's side-effect policy, {@code at-least-once} unless overridden
	 */
	public String sideEffectsFor(String routeId) {
		RouteOverride override = this.routes.get(routeId);
		return (override != null && override.sideEffects() != null) ? override.sideEffects() : "at-least-once";
	}

	/**
	 * The effective policy of a route: its overrides over the default.
	 * @param routeId the consumer route
	 * @return the policy
	 */
	public Redelivery redeliveryFor(String routeId) {
		RouteOverride override = this.routes.get(routeId);
		return (override != null) ? override.over(this.redelivery) : this.redelivery;
	}

	/**
	 * A redelivery policy. Attempts are spaced {@code initialDelay × multiplier^(n-1)},
	 * capped at {@code maxDelay}: the spec's 5 attempts are 1 s, 2 s, 4 s and 8 s apart.
	 *
	 * @param maximumAttempts tries in all, the first included
	 * @param initialDelay wait before the second attempt
	 * @param multiplier growth of the wait per attempt
	 * @param maxDelay cap of the wait
	 * @param attemptTimeout an attempt running longer fails and counts as an attempt
	 */
	public record Redelivery(@DefaultValue("5") @Positive int maximumAttempts,
			@DefaultValue("1s") Duration initialDelay, @DefaultValue("2") @DecimalMin("1.0") double multiplier,
			@DefaultValue("16s") Duration maxDelay, @DefaultValue("30s") Duration attemptTimeout) {
	}

	/**
	 * A route's circuit breaker on its peer: after {@code failures} transient failures in
	 * a row the route stops attempting messages (they wait, unacknowledged) until, every
	 * {@code probeInterval}, one attempt finds the peer back.
	 *
	 * @param failures transient failures in a row that open the breaker; 0 for no breaker
	 * @param probeInterval how long an open breaker waits before one attempt probes the
	 * peer
	 */
	public record Breaker(@DefaultValue("5") @PositiveOrZero int failures, @DefaultValue("5s") Duration probeInterval) {

		public Breaker {
			if (probeInterval.isNegative() || probeInterval.toMillis() < 1) {
				throw new IllegalArgumentException("probe-interval must be at least 1 ms, got " + probeInterval);
			}
		}

	}

	/**
	 * Per-route overrides; unset values fall back to the defaults.
	 *
	 * @param maximumAttempts tries in all
	 * @param initialDelay wait before the second attempt
	 * @param multiplier growth of the wait per attempt
	 * @param maxDelay cap of the wait
	 * @param attemptTimeout limit of one attempt
	 * @param breakerFailures transient failures in a row that open the route's breaker, 0
	 * for none
	 * @param breakerProbeInterval wait of the open breaker before a probe
	 * @param sideEffects the route's policy for a side effect whose earlier attempt ended
	 * without an outcome: {@code at-least-once} (the default: done again, with the same
	 * identity) or {@code at-most-once} (dead-lettered for a person)
	 */
	public record RouteOverride(@Positive Integer maximumAttempts, Duration initialDelay,
			@DecimalMin("1.0") Double multiplier, Duration maxDelay, Duration attemptTimeout,
			@PositiveOrZero Integer breakerFailures, Duration breakerProbeInterval,
			@Pattern(regexp = "at-least-once|at-most-once") String sideEffects) {

		Breaker over(Breaker defaults) {
			return new Breaker((this.breakerFailures != null) ? this.breakerFailures : defaults.failures(),
					(this.breakerProbeInterval != null) ? this.breakerProbeInterval : defaults.probeInterval());
		}

		Redelivery over(Redelivery defaults) {
			return new Redelivery((this.maximumAttempts != null) ? this.maximumAttempts : defaults.maximumAttempts(),
					(this.initialDelay != null) ? this.initialDelay : defaults.initialDelay(),
					(this.multiplier != null) ? this.multiplier : defaults.multiplier(),
					(this.maxDelay != null) ? this.maxDelay : defaults.maxDelay(),
					(this.attemptTimeout != null) ? this.attemptTimeout : defaults.attemptTimeout());
		}

	}

}
