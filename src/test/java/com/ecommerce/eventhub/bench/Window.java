package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A measuring window over one process: wall time, the process's CPU time spent in it, its
 * RSS at the end, and the highest RSS sampled every 250 ms while it was open.
 */
final class Window implements AutoCloseable {

	private final ProcessStats process;

	private final long startNanos;

	private final long startCpu;

	private final long startJitNanos;

	private final MachineCpu startMachine;

	private final AtomicLong peakRss = new AtomicLong(-1);

	private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "bench-rss-sampler");
		thread.setDaemon(true);
		return thread;
	});

	private final String name;

	private final Recording recording;

	private Measured measured;

	private Window(ProcessStats process, String name) {
		this.process = process;
		this.name = name;
		this.recording = flightRecording(process);
		this.startCpu = process.cpuNanos();
		this.startJitNanos = process.jitCpuNanos();
		this.startMachine = MachineCpu.now();
		this.startNanos = System.nanoTime();
		this.sampler.scheduleAtFixedRate(this::sample, 0, 250, TimeUnit.MILLISECONDS);
	}

	/**
	 * Opens a window; with {@code -Dbench.jfr} and a hub in this JVM, a JDK Flight
	 * Recording (settings {@code profile}) covers it, written to
	 * {@code target/bench-jfr/<name>.jfr}.
	 * @param process whose CPU and RSS
	 * @param name the window's name, e.g. the mode's
	 * @return the open window
	 */
	static Window open(ProcessStats process, String name) {
		return new Window(process, name);
	}

	private static Recording flightRecording(ProcessStats process) {
		if (System.getProperty("bench.jfr") == null || process.pid() != ProcessHandle.current().pid()) {
			return null;
		}
		try {
			Recording recording = new Recording(Configuration.getConfiguration("profile"));
			recording.start();
			return recording;
		}
		catch (IOException | ParseException ex) {
			throw new IllegalStateException("JFR's profile settings cannot be read", ex);
		}
	}

	/**
	 * Waits until this JVM's JIT compiler threads have been idle for a second.
	 * @param maxSeconds how long to wait at most
	 * @return seconds waited
	 * @see #awaitQuietJit(ProcessStats, int)
	 */
	static double awaitQuietJit(int maxSeconds) {
		return awaitQuietJit(ProcessStats.self(), maxSeconds);
	}

	/**
	 * Waits until a JVM's JIT compiler threads have been idle for a second (at most
	 * {@code maxSeconds}): a window opened then measures compiled code, not the
	 * compilation of what ran before it (a hub's start-up leaves the C2 compiler busy for
	 * tens of seconds on two cores).
	 * @param process the JVM
	 * @param maxSeconds how long to wait at most
	 * @return seconds waited
	 */
	static double awaitQuietJit(ProcessStats process, int maxSeconds) {
		long start = System.nanoTime();
		long last = process.jitCpuNanos();
		while (last >= 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(maxSeconds)) {
			HubProcess.sleep(1000);
			long now = process.jitCpuNanos();
			if (now - last < TimeUnit.MILLISECONDS.toNanos(20)) {
				break;
			}
			last = now;
		}
		return (System.nanoTime() - start) / 1e9;
	}

	private void sample() {
		long rss = this.process.rssBytes();
		this.peakRss.accumulateAndGet(rss, Math::max);
	}

	/**
	 * @return seconds since the window opened
	 */
	double seconds() {
		return (System.nanoTime() - this.startNanos) / 1e9;
	}

	@Override
	public void close() {
		stop();
	}

	/**
	 * @return the window so far; the first call ends it
	 */
	Measured stop() {
		if (this.measured == null) {
			double seconds = (System.nanoTime() - this.startNanos) / 1e9;
			long cpu = this.process.cpuNanos() - this.startCpu;
			long jitNanos = (this.startJitNanos < 0) ? -1 : this.process.jitCpuNanos() - this.startJitNanos;
			this.sampler.shutdownNow();
			sample();
			this.measured = new Measured(seconds, cpu, this.process.rssBytes(), this.peakRss.get(), jitNanos,
					MachineCpu.now().since(this.startMachine));
			if (this.recording != null) {
				this.recording.stop();
				try {
					Path file = Path.of("target", "bench-jfr", this.name + ".jfr");
					Files.createDirectories(file.getParent());
					this.recording.dump(file);
					System.out.println("flight recording of " + this.name + ": " + file);
				}
				catch (IOException ex) {
					System.out.println("flight recording of " + this.name + " not written: " + ex);
				}
				finally {
					this.recording.close();
				}
			}
		}
		return this.measured;
	}

	/**
	 * @param seconds wall time
	 * @param cpuNanos the process's CPU time in the window
	 * @param rssBytes VmRSS at the end
	 * @param peakRssBytes the highest VmRSS sampled in the window
	 * @param jitNanos CPU time of the JIT compiler threads in the window (part of
	 * {@code cpuNanos}), -1 when unknown
	 * @param machine the machine's busy time and PostgreSQL's and RabbitMQ's CPU time in
	 * the window
	 */
	record Measured(double seconds, long cpuNanos, long rssBytes, long peakRssBytes, long jitNanos,
			MachineCpu machine) {

		Measured(double seconds, long cpuNanos, long rssBytes, long peakRssBytes) {
			this(seconds, cpuNanos, rssBytes, peakRssBytes, -1, MachineCpu.UNKNOWN);
		}

		/**
		 * @param count the events (requests, mails) counted in the window
		 * @return the machine's share, see {@link MachineCpu#describe}
		 */
		String machine(long count) {
			return this.machine.describe(this.seconds, count);
		}

		/**
		 * @param count the events (requests, mails) counted in the window
		 * @return e.g.
		 * {@code JIT compiler threads 3.1 s of 9.0 s CPU, without them 59 ms per 1,000},
		 * empty when unknown
		 */
		String jit(long count) {
			return (this.jitNanos < 0 || count == 0) ? "" : String.format(java.util.Locale.ROOT,
					"JIT compiler threads %.1f s of %.1f s CPU, without them %.0f ms per 1,000", this.jitNanos / 1e9,
					this.cpuNanos / 1e9, (this.cpuNanos - this.jitNanos) / 1e6 / count * 1000);
		}

		double cpuMsPer1000(long count) {
			return (count == 0) ? Double.NaN : this.cpuNanos / 1e6 / count * 1000;
		}

		double rssMb() {
			return (this.rssBytes < 0) ? Double.NaN : this.rssBytes / 1024.0 / 1024.0;
		}

		double peakRssMb() {
			return (this.peakRssBytes < 0) ? Double.NaN : this.peakRssBytes / 1024.0 / 1024.0;
		}

		/**
		 * @return this window with its peak as the RSS
		 */
		Measured peak() {
			return new Measured(this.seconds, this.cpuNanos, this.peakRssBytes, this.peakRssBytes, this.jitNanos,
					this.machine);
		}

		double cores() {
			return this.cpuNanos / 1e9 / this.seconds;
		}

	}

}
