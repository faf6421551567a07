package com.ecommerce.eventhub.config;

import java.time.Duration;
import java.util.Map;

import com.ecommerce.eventhub.config.ConsumerProperties.Breaker;
import com.ecommerce.eventhub.config.ConsumerProperties.Redelivery;
import com.ecommerce.eventhub.config.ConsumerProperties.RouteOverride;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route's redelivery policy: its own values over the default, the rest from the
 * default.
 */
class RouteOverrideTest {

	private static final Redelivery SPEC = new Redelivery(5, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(16),
			Duration.ofSeconds(30));

	private static final Breaker BREAKER = new Breaker(5, Duration.ofSeconds(5));

	@Test
	void aRouteOverridesOnlyWhatItSets() {
		ConsumerProperties consumers = new ConsumerProperties(SPEC, BREAKER,
				Map.of("email-send", new RouteOverride(3, null, null, Duration.ofSeconds(5), null, null, null, null)),
				2, 100);
		Redelivery email = consumers.redeliveryFor("email-send");
		assertThat(email.maximumAttempts()).isEqualTo(3);
		assertThat(email.maxDelay()).isEqualTo(Duration.ofSeconds(5));
		assertThat(email.initialDelay()).isEqualTo(Duration.ofSeconds(1));
		assertThat(email.multiplier()).isEqualTo(2.0);
		assertThat(email.attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void aRouteWithoutOverridesHasTheDefault() {
		ConsumerProperties consumers = new ConsumerProperties(SPEC, BREAKER, null, 2, 100);
		assertThat(consumers.redeliveryFor("notification-order-events")).isEqualTo(SPEC);
		assertThat(consumers.breakerFor("notification-order-events")).isEqualTo(BREAKER);
		assertThat(consumers.routes()).isEmpty();
	}

	@Test
	void everyValueCanBeOverridden() {
		RouteOverride all = new RouteOverride(1, Duration.ofMillis(100), 1.5, Duration.ofSeconds(2),
				Duration.ofSeconds(3), 0, Duration.ofSeconds(1), "at-most-once");
		ConsumerProperties consumers = new ConsumerProperties(SPEC, BREAKER, Map.of("r", all), 1, 1);
		assertThat(consumers.sideEffectsFor("r")).isEqualTo("at-most-once");
		assertThat(consumers.sideEffectsFor("other")).isEqualTo("at-least-once");
		assertThat(consumers.redeliveryFor("r"))
			.isEqualTo(new Redelivery(1, Duration.ofMillis(100), 1.5, Duration.ofSeconds(2), Duration.ofSeconds(3)));
		assertThat(consumers.breakerFor("r")).isEqualTo(new Breaker(0, Duration.ofSeconds(1)));
	}

	@Test
	void aRouteOverridesOnlyTheBreakerSettingItSets() {
		RouteOverride failuresOnly = new RouteOverride(null, null, null, null, null, 2, null, null);
		assertThat(new ConsumerProperties(SPEC, BREAKER, Map.of("r", failuresOnly), 1, 1).breakerFor("r"))
			.isEqualTo(new Breaker(2, Duration.ofSeconds(5)));
	}

}
