package com.ecommerce.eventhub.topology;

import java.time.Duration;
import java.time.Instant;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lag histograms' shared shape: SLO buckets on the Prometheus scrape, bounded event
 * types, no negative lag, and the publish-time header.
 */
class EventLagTest {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

	@Test
	void aLagTimerIsAPrometheusHistogramWithTheSloBuckets() {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		EventLag.timer("eventhub.publish.lag", "test", "order.placed")
			.register(registry)
			.record(Duration.ofMillis(700));
		String scrape = registry.scrape();
		for (String le : new String[] { "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0",
				"300.0", "+Inf" }) {
			assertThat(scrape)
				.contains("eventhub_publish_lag_seconds_bucket{event_type=\"order.placed\",le=\"" + le + "\"}");
		}
		assertThat(scrape).contains("eventhub_publish_lag_seconds_bucket{event_type=\"order.placed\",le=\"0.5\"} 0")
			.contains("eventhub_publish_lag_seconds_bucket{event_type=\"order.placed\",le=\"1.0\"} 1")
			.contains("eventhub_publish_lag_seconds_count{event_type=\"order.placed\"} 1")
			.contains("eventhub_publish_lag_seconds_sum{event_type=\"order.placed\"} 0.7");
		// Only the SLO buckets: no percentile histogram of Micrometer's own bucket set.
		assertThat(scrape.lines().filter(line -> line.startsWith("eventhub_publish_lag_seconds_bucket"))).hasSize(12);
	}

	@Test
	void anUnknownOrMissingEventTypeIsOther() {
		assertThat(EventLag.eventTypeTag("order.placed")).isEqualTo("order.placed");
		assertThat(EventLag.eventTypeTag("made.up-" + System.nanoTime())).isEqualTo("other");
		assertThat(EventLag.eventTypeTag(null)).isEqualTo("other");
	}

	@Test
	void aLagIsNeverNegative() {
		assertThat(EventLag.between(NOW.minusMillis(1500), NOW)).isEqualTo(Duration.ofMillis(1500));
		assertThat(EventLag.between(NOW.plusSeconds(30), NOW)).as("clock skew").isZero();
		assertThat(EventLag.between(NOW, NOW)).isZero();
		assertThat(EventLag.between(null, NOW)).isZero();
	}

	@Test
	void thePublishTimeTravelsAsAnIsoInstantWithMilliseconds() {
		String header = EventLag.publishedAtHeader(NOW.plusNanos(123_456));
		assertThat(header).isEqualTo("2026-01-02T03:04:05.678Z");
		assertThat(EventLag.publishedAt(header)).isEqualTo(NOW);
	}

	@Test
	void anyOtherHeaderValueIsNoPublishTime() {
		assertThat(EventLag.publishedAt(null)).isNull();
		assertThat(EventLag.publishedAt("yesterday")).isNull();
		assertThat(EventLag.publishedAt(1767323045678L)).isNull();
		assertThat(EventLag.publishedAt("2026-01-02T03:04:05Z" + " ".repeat(100))).isNull();
		assertThat(EventLag.publishedAt("9".repeat(100_000))).isNull();
	}

}
