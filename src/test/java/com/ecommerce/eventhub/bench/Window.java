package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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

	private final long startJitMs;

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
		this.startJitMs = jitMillis(process);
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
	 * @return the JIT compilers' accumulated time in this JVM, in ms; -1 for a child
	 * process or when the JVM does not tell
	 */
	private static long jitMillis(ProcessStats process) {
		CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
		if (process.pid() != ProcessHandle.current().pid() || jit == null
				|| !jit.isCompilationTimeMonitoringSupported()) {
			return -1;
		}
		return jit.getTotalCompilationTime();
	}

	/**
	 * Waits until this JVM's JIT compilers have been idle for a second (at most
	 * {@code maxSeconds}): a window opened then measures compiled code, not the
	 * compilation of what ran before it (a hub's start-up leaves the C2 compiler busy for
	 * tens of seconds on two cores).
	 * @param maxSeconds how long to wait at most
	 * @return seconds waited
	 */
	static double awaitQuietJit(int maxSeconds) {
		CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
		long start = System.nanoTime();
		if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
			return 0;
		}
		long last = jit.getTotalCompilationTime();
		while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(maxSeconds)) {
			HubProcess.sleep(1000);
			long now = jit.getTotalCompilationTime();
			if (now - last < 20) {
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
			long jitMs = (this.startJitMs < 0) ? -1 : jitMillis(this.process) - this.startJitMs;
			this.sampler.shutdownNow();
			sample();
			this.measured = new Measured(seconds, cpu, this.process.rssBytes(), this.peakRss.get(), jitMs);
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
	 * @param jitMs time the JIT compilers spent in the window (part of the CPU time), -1
	 * when unknown (a child process)
	 */
	record Measured(double seconds, long cpuNanos, long rssBytes, long peakRssBytes, long jitMs) {

		Measured(double seconds, long cpuNanos, long rssBytes, long peakRssBytes) {
			this(seconds, cpuNanos, rssBytes, peakRssBytes, -1);
		}

		/**
		 * @return e.g. {@code JIT 3.1 s of 9.0 s CPU}, empty when unknown
		 */
		String jit() {
			return (this.jitMs < 0) ? "" : String.format(java.util.Locale.ROOT, "JIT compiling %.1f s of %.1f s CPU",
					this.jitMs / 1000.0, this.cpuNanos / 1e9);
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
			return new Measured(this.seconds, this.cpuNanos, this.peakRssBytes, this.peakRssBytes, this.jitMs);
		}

		double cores() {
			return this.cpuNanos / 1e9 / this.seconds;
		}

	}

}
