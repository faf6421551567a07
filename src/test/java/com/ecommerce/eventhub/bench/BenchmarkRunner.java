package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.ecommerce.eventhub.support.TestServices;

/**
 * The benchmark suite of README "Benchmark", against the local PostgreSQL and RabbitMQ;
 * not part of {@code verify}. Runs every mode, or those named in {@code -Dbench.mode}
 * (comma separated, always in the order below), each in a schema and queues of its own
 * that it removes afterwards, and prints one table at the end.
 * <p>
 * Run:
 * {@code ./mvnw -Pbenchmark test-compile exec:java [-Dbench.mode=throughput,latency]}.
 */
public final class BenchmarkRunner {

	/**
	 * Every mode, in run order: handwritten right after throughput, on the same machine
	 * state.
	 */
	static final Map<String, BenchMode> MODES = new LinkedHashMap<>();

	static {
		MODES.put("throughput", new ThroughputMode());
		MODES.put("handwritten", new HandwrittenRelay());
		MODES.put("latency", new LatencyMode(false));
		MODES.put("latency-quiet", new LatencyMode(true));
		MODES.put("consumer", new ConsumerMode());
		MODES.put("email", new EmailMode());
		MODES.put("ingestion", new IngestionMode());
		MODES.put("backlog", new BacklogMode());
		MODES.put("startup", new StartupMode());
	}

	private BenchmarkRunner() {
	}

	public static void main(String[] args) {
		try {
			run(System.getProperty("bench.mode", "all"));
		}
		catch (Throwable failure) {
			failure.printStackTrace();
		}
		finally {
			System.exit(0);
		}
	}

	static void run(String modeList) {
		BenchSettings settings = BenchSettings.fromSystemProperties();
		List<String> modes = modes(modeList);
		TestServices.requireRunning();
		String machine = machine();
		System.out.println(machine);
		System.out.printf(Locale.ROOT, "modes %s; %s; order.placed envelope ~%,d bytes%n", modes, settings,
				OutboxRows.envelopeBytes());
		List<BenchResult> results = new ArrayList<>();
		for (String mode : modes) {
			System.out.printf(Locale.ROOT, "%n== %s ==%n", mode);
			System.out.println(checkpoint());
			try {
				results.addAll(MODES.get(mode).run(settings));
			}
			catch (Throwable failure) {
				failure.printStackTrace();
				results.add(BenchResult.failed(mode, failure));
			}
		}
		compareWithHandwritten(results);
		System.out.println();
		System.out.println(machine);
		System.out.print(ResultTable.format(results));
		System.out.println();
		targets(results).forEach(System.out::println);
	}

	/**
	 * Writes out what an earlier mode left dirty, so that a checkpoint owed to it does
	 * not fall into this mode's window: after the backlog's million rows, PostgreSQL's
	 * next checkpoint spread its writes over a minute of the following mode.
	 * @return what it did, for the log
	 */
	static String checkpoint() {
		long start = System.nanoTime();
		try (Connection db = TestServices.jdbc(); Statement statement = db.createStatement()) {
			statement.execute("CHECKPOINT");
			return String.format(Locale.ROOT, "CHECKPOINT before the mode: %.1f s", (System.nanoTime() - start) / 1e9);
		}
		catch (SQLException ex) {
			return "no CHECKPOINT before the mode (" + ex.getMessage() + "): an earlier mode's writes may fall into it";
		}
	}

	/**
	 * Issue 14's targets next to the figures, printed only: nothing here fails a build.
	 * @param results the rows
	 * @return one line per row that has a target
	 */
	static List<String> targets(List<BenchResult> results) {
		List<String> lines = new ArrayList<>();
		for (BenchResult result : results) {
			String target = switch (result.mode()) {
				case "latency" -> check(result.p99(), 25, "p99", "ms") + ", " + check(result.p50(), 8, "p50", "ms");
				case "latency-quiet" -> check(result.p99(), 15, "p99", "ms");
				case "consumer x1", "consumer x2" -> checkAtLeast(result.ratePerSecond(), 2_000, "events/s");
				case "ingestion" ->
					checkAtLeast(result.ratePerSecond(), 2_000, "POST/s") + ", " + check(result.p99(), 50, "p99", "ms");
				case "backlog" -> check(result.rssMb(), 512, "RSS", "MB") + " (claim: under 20 ms, see notes)";
				case "startup shipped", "startup jar" -> check(result.p50() / 1000, 6, "launch->event median", "s");
				default -> null;
			};
			if (target != null && (result.note() == null || !result.note().startsWith("FAILED"))) {
				lines.add(String.format(Locale.ROOT, "target %-17s %s", result.mode() + ":", target));
			}
		}
		return lines;
	}

	private static String check(double value, double most, String what, String unit) {
		return String.format(Locale.ROOT, "%s %.1f %s (at most %s: %s)", what, value, unit, (long) most,
				(value <= most) ? "met" : "not met");
	}

	private static String checkAtLeast(double value, double least, String unit) {
		return String.format(Locale.ROOT, "%,.0f %s (at least %,d: %s)", value, unit, (long) least,
				(value >= least) ? "met" : "not met");
	}

	/**
	 * @param modeList {@code all}, {@code both} (throughput and latency, as the relay
	 * benchmark had it) or mode names, comma separated
	 * @return the modes in run order
	 */
	static List<String> modes(String modeList) {
		List<String> named = Arrays.stream(modeList.split(","))
			.map(String::trim)
			.filter(name -> !name.isEmpty())
			.flatMap(name -> switch (name) {
				case "all" -> MODES.keySet().stream();
				case "both" -> List.of("throughput", "latency").stream();
				default -> {
					if (!MODES.containsKey(name)) {
						throw new IllegalArgumentException(
								"Unknown bench.mode " + name + "; modes: all, " + String.join(", ", MODES.keySet()));
					}
					yield List.of(name).stream();
				}
			})
			.toList();
		return MODES.keySet().stream().filter(named::contains).toList();
	}

	private static void compareWithHandwritten(List<BenchResult> results) {
		Optional<BenchResult> hub = find(results, "throughput");
		Optional<BenchResult> handwritten = find(results, "handwritten");
		if (hub.isPresent() && handwritten.isPresent() && handwritten.get().ratePerSecond() > 0) {
			double ratio = hub.get().ratePerSecond() / handwritten.get().ratePerSecond();
			String line = String.format(Locale.ROOT, "hub/handwritten %.2fx (target >= 1.5x), CPU per event %.2fx",
					ratio, hub.get().cpuMsPer1000() / handwritten.get().cpuMsPer1000());
			System.out.println(line);
			results.set(results.indexOf(handwritten.get()), handwritten.get().withNote(line));
		}
	}

	private static Optional<BenchResult> find(List<BenchResult> results, String mode) {
		return results.stream()
			.filter(result -> result.mode().equals(mode) && !Double.isNaN(result.ratePerSecond()))
			.findFirst();
	}

	private static String machine() {
		String postgres = "?";
		try (Connection db = TestServices.jdbc();
				Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery("SHOW server_version")) {
			rs.next();
			postgres = rs.getString(1);
		}
		catch (Exception ex) {
			// The version is only decoration.
		}
		String rabbit = "?";
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("bench-machine")) {
			rabbit = String.valueOf(connection.getServerProperties().get("version"));
		}
		catch (Exception ex) {
			// The version is only decoration.
		}
		long memoryMb = ProcessStats.kbFromStatus(readOrEmpty("/proc/meminfo"), "MemTotal") / 1024;
		return String.format(Locale.ROOT,
				"machine: %d cores, %,d MB memory, %s %s (%s), %s %s; PostgreSQL %s and RabbitMQ %s on localhost; %s",
				Runtime.getRuntime().availableProcessors(), memoryMb, System.getProperty("java.vm.name"),
				System.getProperty("java.version"), System.getProperty("java.vm.vendor"), System.getProperty("os.name"),
				System.getProperty("os.version"), postgres, rabbit, Instant.now().truncatedTo(ChronoUnit.SECONDS));
	}

	private static String readOrEmpty(String path) {
		try {
			return java.nio.file.Files.readString(java.nio.file.Path.of(path));
		}
		catch (java.io.IOException ex) {
			return "";
		}
	}

}
