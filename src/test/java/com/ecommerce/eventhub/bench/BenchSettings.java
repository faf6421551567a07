package com.ecommerce.eventhub.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The benchmark's options, read from system properties ({@code -Dbench.*}).
 *
 * @param events throughput and hand-written relay: rows seeded ({@code bench.events})
 * @param aggregates aggregates the rows are spread over ({@code bench.aggregates})
 * @param rate latency: events committed per second ({@code bench.rate})
 * @param quietRate latency-quiet: events per second ({@code bench.quietRate})
 * @param seconds latency, latency-quiet and each ingestion phase: how long
 * ({@code bench.seconds})
 * @param workers relay workers ({@code bench.workers})
 * @param batchSize relay batch size ({@code bench.batchSize})
 * @param queueType the hub's queue type ({@code bench.queueType})
 * @param consumerEvents consumer: envelopes fed to the notification route
 * ({@code bench.consumerEvents})
 * @param mails email: e-mail requests ({@code bench.mails})
 * @param clients ingestion: concurrent HTTP clients ({@code bench.clients})
 * @param ingestionWarmup ingestion: seconds of unmeasured single-event posts before the
 * windows ({@code bench.ingestionWarmup})
 * @param backlogEvents backlog: pending rows ({@code bench.backlogEvents})
 * @param startupRuns startup: launches ({@code bench.startupRuns})
 * @param hubJvmOptions JVM options of the hub child process ({@code bench.hubJvmOptions})
 * @param hubLaunch how ingestion and backlog launch the child ({@code bench.hubLaunch}:
 * {@code shipped}, the default, or {@code jar}); startup measures both
 */
record BenchSettings(int events, int aggregates, int rate, int quietRate, int seconds, int workers, int batchSize,
		String queueType, int consumerEvents, int mails, int clients, int ingestionWarmup, int backlogEvents,
		int startupRuns, String hubJvmOptions, HubProcess.Layout hubLaunch) {

	/**
	 * The Dockerfile's JAVA_TOOL_OPTIONS (README "Deployment"): the hub as it is shipped.
	 */
	static final String SHIPPED_JVM_OPTIONS = "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC";

	static BenchSettings fromSystemProperties() {
		return new BenchSettings(Integer.getInteger("bench.events", 100_000),
				Integer.getInteger("bench.aggregates", 1_000), Integer.getInteger("bench.rate", 2_000),
				Integer.getInteger("bench.quietRate", 20), Integer.getInteger("bench.seconds", 30),
				Integer.getInteger("bench.workers", 2), Integer.getInteger("bench.batchSize", 500),
				System.getProperty("bench.queueType", "quorum"), Integer.getInteger("bench.consumerEvents", 20_000),
				Integer.getInteger("bench.mails", 2_000), Integer.getInteger("bench.clients", 16),
				Integer.getInteger("bench.ingestionWarmup", 60), Integer.getInteger("bench.backlogEvents", 1_000_000),
				Integer.getInteger("bench.startupRuns", 3),
				System.getProperty("bench.hubJvmOptions", SHIPPED_JVM_OPTIONS),
				HubProcess.Layout.fromSystemProperties());
	}

	/**
	 * The hub settings every relay mode starts from: batch size, workers, queue type,
	 * quiet logs, and the e-mail routes off so that only the relay works (order.placed
	 * would otherwise feed the notification route, whose events join the outbox).
	 * @return a new mutable map
	 */
	Map<String, Object> relayHubSettings() {
		Map<String, Object> settings = new HashMap<>();
		settings.put("hub.relay.batch-size", this.batchSize);
		settings.put("hub.relay.workers", this.workers);
		settings.put("hub.topology.queue-type", this.queueType);
		settings.put("logging.level.root", "WARN");
		settings.put("hub.notifications.enabled", false);
		return settings;
	}

}
