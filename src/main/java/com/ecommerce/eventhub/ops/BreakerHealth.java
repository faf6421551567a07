package com.ecommerce.eventhub.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.consumers.PeerBreakers;
import com.ecommerce.eventhub.consumers.PeerBreakers.BreakerState;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * The health component {@code breakers}: every consumer route's circuit breaker with its
 * state, failure rate and waiting attempts. An open breaker (its route's peer is down)
 * makes the hub {@code DEGRADED}, not down: the route's messages wait and flow again by
 * themselves once a probe finds the peer back. It is not part of readiness.
 */
@Component("breakers")
public class BreakerHealth implements HealthIndicator {

	/** Health status while a route's peer is down; ordered between DOWN and UP. */
	static final Status DEGRADED = new Status(DeadLetterMonitor.DEGRADED.getCode(),
			"a consumer route's peer is down: its messages wait");

	private final PeerBreakers breakers;

	public BreakerHealth(PeerBreakers breakers) {
		this.breakers = breakers;
	}

	@Override
	public Health health() {
		List<BreakerState> states = this.breakers.states();
		Health.Builder health = states.stream().anyMatch(BreakerState::open) ? Health.status(DEGRADED) : Health.up();
		for (BreakerState state : states) {
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("state", state.state());
			detail.put("failureRate", state.failureRate());
			detail.put("failedCalls", state.failedCalls());
			detail.put("bufferedCalls", state.bufferedCalls());
			detail.put("failures", state.failures());
			detail.put("probeInterval", state.probeInterval().toString());
			detail.put("waiting", state.waiting());
			health.withDetail(state.route(), detail);
		}
		return health.build();
	}

}
