package com.ecommerce.eventhub.console;

import java.util.ArrayDeque;
import java.util.Deque;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.stereotype.Component;

/**
 * The relay's publish and failure rates over the last minute, for the overview: route
 * {@code console-meter-sample} reads the relay's counters every {@value #PERIOD_MS} ms
 * (this instance's; Prometheus has the whole cluster's).
 */
@Component
class RelayRates extends EndpointRouteBuilder {

	static final long PERIOD_MS = 5_000;

	private static final long WINDOW_NANOS = 60_000_000_000L;

	private final MeterRegistry meters;

	private final Deque<Sample> samples = new ArrayDeque<>();

	RelayRates(MeterRegistry meters) {
		this.meters = meters;
	}

	@Override
	public void configure() {
		from(timer("console-meter-sample").period(PERIOD_MS).delay(0)).routeId("console-meter-sample")
			.process(exchange -> sample());
	}

	synchronized void sample() {
		long now = System.nanoTime();
		this.samples
			.addLast(new Sample(now, total("eventhub.relay.published"), total("eventhub.relay.publish.failures")));
		while (this.samples.size() > 2 && now - this.samples.peekFirst().nanos() > WINDOW_NANOS) {
			this.samples.removeFirst();
		}
	}

	/**
	 * @return events published per second over the last minute, null until known
	 */
	synchronized Double publishedPerSecond() {
		return rate(Sample::published);
	}

	/**
	 * @return failed publishes per second over the last minute, null until known
	 */
	synchronized Double failuresPerSecond() {
		return rate(Sample::failures);
	}

	/**
	 * @return failed publishes since start-up
	 */
	double failuresTotal() {
		return total("eventhub.relay.publish.failures");
	}

	private Double rate(java.util.function.ToDoubleFunction<Sample> value) {
		if (this.samples.size() < 2) {
			return null;
		}
		Sample first = this.samples.peekFirst();
		Sample last = this.samples.peekLast();
		double seconds = (last.nanos() - first.nanos()) / 1e9;
		return (seconds > 0) ? Math.max(0, value.applyAsDouble(last) - value.applyAsDouble(first)) / seconds : null;
	}

	private double total(String name) {
		return this.meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
	}

	private record Sample(long nanos, double published, double failures) {
	}

}
