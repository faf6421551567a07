package com.ecommerce.eventhub.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The benchmark's arithmetic and reading: percentiles, /proc parsing, the Prometheus
 * claim phase, mode selection and the table. No timing is asserted anywhere.
 */
class BenchReportTest {

	@Test
	void percentilesAreNearestRankInMilliseconds() {
		long[] nanos = new long[100];
		for (int i = 0; i < nanos.length; i++) {
			nanos[i] = (100 - i) * 1_000_000L; // 100 ms .. 1 ms, unsorted
		}
		Percentiles percentiles = Percentiles.of(nanos);
		assertThat(percentiles.ms(50)).isEqualTo(50.0);
		assertThat(percentiles.ms(95)).isEqualTo(95.0);
		assertThat(percentiles.ms(99)).isEqualTo(99.0);
		assertThat(percentiles.ms(100)).isEqualTo(100.0);
		assertThat(nanos[0]).as("input untouched").isEqualTo(100_000_000L);
		assertThat(Percentiles.of(new long[] { 7_000_000L }).ms(99)).isEqualTo(7.0);
		assertThat(Percentiles.of(new long[0]).ms(50)).isNaN();
	}

	@Test
	void cpuTimeIsUtimePlusStimeCountedAfterTheCommandName() {
		// A command name with a space and a parenthesis, as /proc shows it.
		String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 40 0 100 0 0";
		assertThat(ProcessStats.cpuNanosFromStat(stat, 100)).isEqualTo(3_000_000_000L);
		assertThat(ProcessStats.cpuNanosFromStat(stat, 1000)).isEqualTo(300_000_000L);
	}

	@Test
	void theMachineShareCountsBusyTicksAndTheServicesWithTheirEndedChildren() {
		// user nice system idle iowait irq softirq steal guest guest_nice
		String procStat = "cpu  300 10 90 5000 700 0 20 5 40 0\ncpu0 150 5 45 2500 350 0 10 2 20 0\n";
		assertThat(MachineCpu.busyNanosFromProcStat(procStat, 100)).as("idle, iowait and guest not counted")
			.isEqualTo(4_250_000_000L);
		assertThatIllegalArgumentException().isThrownBy(() -> MachineCpu.busyNanosFromProcStat("intr 1\n", 100));
		// The postmaster: 250 + 50 of its own, 600 + 100 of backends that ended.
		String postmaster = "2196 (postgres) S 1 2196 2196 0 -1 4194560 1000 0 0 0 250 50 600 100 20 0 6 0 100 0 0";
		assertThat(MachineCpu.cpuNanosWithChildren(postmaster, 100)).isEqualTo(10_000_000_000L);

		MachineCpu start = new MachineCpu(4_000_000_000L, 1_000_000_000L, 2_000_000_000L);
		MachineCpu window = new MachineCpu(23_000_000_000L, 5_000_000_000L, 8_000_000_000L).since(start);
		assertThat(window).isEqualTo(new MachineCpu(19_000_000_000L, 4_000_000_000L, 6_000_000_000L));
		assertThat(window.describe(10.0, 100_000)).startsWith("machine 1.90 of ")
			.endsWith(" cores busy; PostgreSQL 40 and RabbitMQ 60 ms CPU per 1,000");
		assertThat(window.since(MachineCpu.UNKNOWN).describe(10.0, 100_000)).as("unknown").isEmpty();
		assertThat(MachineCpu.now().busyNanos()).as("read from this machine's /proc").isPositive();
		assertThat(BenchResult
			.of("throughput", 100_000, "events", new Window.Measured(10.0, 5_000_000_000L, -1, -1, -1, window),
					"bench JVM", "batch 500")
			.note()).startsWith("batch 500; machine 1.90 of ");
	}

	@Test
	void residentMemoryIsReadFromStatus() {
		String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\nThreads:\t42\n";
		assertThat(ProcessStats.kbFromStatus(status, "VmRSS")).isEqualTo(262_144);
		assertThat(ProcessStats.kbFromStatus(status, "VmHWM")).isEqualTo(524_288);
		assertThat(ProcessStats.kbFromStatus(status, "VmSwap")).isEqualTo(-1);
	}

	@Test
	void ownProcessStatsAreReadable() {
		ProcessStats self = ProcessStats.self();
		assertThat(self.cpuNanos()).isPositive();
		assertThat(self.rssBytes()).isPositive();
		assertThat(ProcessStats.of(self.pid()).cpuNanos()).isPositive();
	}

	@Test
	void theClaimPhaseIsReadFromTheScrape() {
		String scrape = """
				# TYPE eventhub_relay_batch_phase_seconds summary
				eventhub_relay_batch_phase_seconds_count{application="hub",phase="claim"} 200
				eventhub_relay_batch_phase_seconds_sum{application="hub",phase="claim"} 3.0
				eventhub_relay_batch_phase_seconds_count{application="hub",phase="publish"} 200
				eventhub_relay_batch_phase_seconds_sum{application="hub",phase="publish"} 90.0
				eventhub_relay_batch_phase_seconds_max{application="hub",phase="claim"} 0.042
				""";
		assertThat(BacklogMode.claimPhase(scrape)).isEqualTo("mean 15.0 ms, max 42.0 ms over 200 batches");
	}

	@Test
	void theClaimsParametersAreBoundInEitherStyleButNotItsCasts() {
		Map<String, String> values = Map.of("batchSize", "500", "workerCount", "2");
		assertThat(BacklogMode.bind("SELECT x::text FROM t WHERE a % :#workerCount = 0 LIMIT :#batchSize", values))
			.isEqualTo("SELECT x::text FROM t WHERE a % 2 = 0 LIMIT 500");
		assertThat(BacklogMode.bind("SELECT x::text FROM t WHERE a % :workerCount = 0 LIMIT :batchSize", values))
			.isEqualTo("SELECT x::text FROM t WHERE a % 2 = 0 LIMIT 500");
		assertThat(BacklogMode.bind("SELECT 1 LIMIT :unknown", values)).isNull();
	}

	@Test
	void modesRunInTheirFixedOrderWhateverOrderTheyAreNamedIn() {
		assertThat(BenchmarkRunner.modes("all")).containsExactlyElementsOf(BenchmarkRunner.MODES.keySet());
		assertThat(BenchmarkRunner.modes("handwritten, throughput")).containsExactly("throughput", "handwritten");
		assertThat(BenchmarkRunner.modes("both")).containsExactly("throughput", "latency");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchmarkRunner.modes("fast"))
			.withMessageContaining("latency-quiet");
		assertThat(StartupMode.median(List.of(9L, 3L, 5L))).isEqualTo(5);
	}

	@Test
	void theJitShareIsTakenOutOfTheCpuPerThousandWhenKnown() {
		Window.Measured window = new Window.Measured(10.0, 5_000_000_000L, -1, -1, 2_000_000_000L, MachineCpu.UNKNOWN);
		assertThat(window.jit(100_000))
			.isEqualTo("JIT compiler threads 2.0 s of 5.0 s CPU, without them 30 ms per 1,000");
		assertThat(new Window.Measured(10.0, 5_000_000_000L, -1, -1).jit(100_000)).as("unknown").isEmpty();
		assertThat(ProcessStats.self().jitCpuNanos()).as("this JVM's compiler threads, read from /proc")
			.isNotNegative();
	}

	@Test
	void targetsArePrintedForTheModesThatHaveOneAndNotForFailedModes() {
		Window.Measured window = new Window.Measured(10.0, 5_000_000_000L, 600L * 1024 * 1024, 600L * 1024 * 1024);
		BenchResult latency = BenchResult.of("latency", 1_000, "events", window,
				Percentiles.of(new long[] { 5_000_000L, 30_000_000L }), "bench JVM", "");
		BenchResult backlog = BenchResult.of("backlog", 1_000, "events", window, "hub process", "");
		assertThat(BenchmarkRunner.targets(List.of(latency, backlog, BenchResult.failed("startup", new Exception()))))
			.containsExactly("target latency:          p99 30.0 ms (at most 25: not met), p50 5.0 ms (at most 8: met)",
					"target backlog:          RSS 600.0 MB (at most 512: not met) (claim: under 20 ms, see notes)");
	}

	@Test
	void keepAliveAnswersAreReadToTheirEndWhateverTheirFraming() throws Exception {
		InputStream answers = new ByteArrayInputStream(("HTTP/1.1 202 \r\nContent-Type: application/json\r\n"
				+ "Content-Length: 5\r\n\r\n{\"a\"}HTTP/1.1 400 \r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "4;x=y\r\n{\"b\"\r\n1\r\n}\r\n0\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
				+ "Content-Length: 0\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1));
		assertThat(KeepAliveClient.readResponse(answers)).isEqualTo(new KeepAliveClient.Response(202, 5, false));
		assertThat(KeepAliveClient.readResponse(answers)).isEqualTo(new KeepAliveClient.Response(400, 5, false));
		assertThat(KeepAliveClient.readResponse(answers)).isEqualTo(new KeepAliveClient.Response(503, 0, true));
		assertThat(answers.read()).as("nothing left over").isEqualTo(-1);
	}

	@Test
	void theTableHasOneRowPerResultAndDashesWhereNothingApplies() {
		Window.Measured window = new Window.Measured(10.0, 5_000_000_000L, 300L * 1024 * 1024, 400L * 1024 * 1024);
		BenchResult throughput = BenchResult.of("throughput", 100_000, "events", window, "bench JVM", "batch 500");
		BenchResult latency = BenchResult.of("latency", 1_000, "events", window,
				Percentiles.of(new long[] { 1_000_000L, 2_000_000L }), "bench JVM", "a|b");
		String table = ResultTable
			.format(List.of(throughput, latency, BenchResult.failed("email", new IllegalStateException("no sink"))));

		String[] lines = table.split("\n");
		assertThat(lines).hasSize(5);
		assertThat(lines[0]).startsWith("| mode").contains("CPU ms / 1,000");
		assertThat(lines[1]).matches("[|\\- ]+");
		assertThat(lines[2]).contains("100,000 events").contains("10,000").contains("50").contains("300");
		assertThat(lines[3]).contains("1.0 / 2.0 / 2.0").contains("a/b");
		assertThat(lines[4]).contains("FAILED: java.lang.IllegalStateException: no sink");
		assertThat(lines).allSatisfy(line -> assertThat(line).hasSize(lines[0].length()));
	}

}
