package com.ecommerce.eventhub.consumers;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handled event counts and records its consumer lag by route and bounded event type;
 * without a publish time only the count.
 */
class ConsumerMetricsTest {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

	private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

	private final ConsumerMetrics metrics = new ConsumerMetrics(this.registry, Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void aHandledEventRecordsItsLagByRouteAndEventType() {
		this.metrics.handled("email-send", "email.notification-requested", NOW.minusMillis(1800));
		this.metrics.handled("email-send", "email.notification-requested", NOW.minusMillis(40));
		String scrape = this.registry.scrape();
		String series = "event_type=\"email.notification-requested\",route=\"email-send\"";
		assertThat(scrape).contains("eventhub_consumer_lag_seconds_count{" + series + "} 2")
			.contains("eventhub_consumer_lag_seconds_bucket{" + series + ",le=\"0.05\"} 1")
			.contains("eventhub_consumer_lag_seconds_bucket{" + series + ",le=\"1.0\"} 1")
			.contains("eventhub_consumer_lag_seconds_bucket{" + series + ",le=\"2.5\"} 2")
			.contains("eventhub_consumer_handled_total{route=\"email-send\"} 2.0");
	}

	@Test
	void aPublishTimeInTheFutureIsZeroLag() {
		this.metrics.handled("notification-order-events", "order.placed", NOW.plusSeconds(20));
		assertThat(this.registry.scrape()).contains(
				"eventhub_consumer_lag_seconds_bucket{event_type=\"order.placed\",route=\"notification-order-events\",le=\"0.05\"} 1")
			.contains(
					"eventhub_consumer_lag_seconds_sum{event_type=\"order.placed\",route=\"notification-order-events\"} 0.0");
	}

	@Test
	void anUnknownEventTypeIsOther() {
		this.metrics.handled("custom", "x.made-up", NOW.minusSeconds(1));
		this.metrics.handled("custom", "y.made-up", NOW.minusSeconds(1));
		assertThat(this.registry.scrape())
			.contains("eventhub_consumer_lag_seconds_count{event_type=\"other\",route=\"custom\"} 2")
			.doesNotContain("made-up");
	}

	@Test
	void withoutAPublishTimeOnlyTheCountGoesUp() {
		this.metrics.handled("landing-cms-cache-purger", "landing-cms.content-published", null);
		assertThat(this.registry.scrape())
			.contains("eventhub_consumer_handled_total{route=\"landing-cms-cache-purger\"} 1.0")
			.doesNotContain("eventhub_consumer_lag_seconds");
	}

}
