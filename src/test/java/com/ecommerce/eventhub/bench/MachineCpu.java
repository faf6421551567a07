package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the machine's CPU goes during a window, besides the measured process: PostgreSQL
 * and RabbitMQ run on the same two cores, so every millisecond the hub spends per event
 * is taken from them, and a rate can be limited by them rather than by the hub.
 *
 * <p>
 * Read from Linux's {@code /proc}: the machine's busy time from {@code /proc/stat}, and
 * the CPU time of every {@code postgres} and {@code beam.smp} (RabbitMQ's Erlang VM)
 * process from its {@code stat}, including the time of its children that have ended
 * ({@code cutime}, {@code cstime}): a PostgreSQL backend that ends in the window still
 * counts, in the postmaster's share.
 *
 * @param busyNanos the machine's busy CPU time (all cores; not idle, not waiting for I/O)
 * @param postgresNanos CPU time of the PostgreSQL processes
 * @param rabbitNanos CPU time of the RabbitMQ (Erlang) processes
 */
record MachineCpu(long busyNanos, long postgresNanos, long rabbitNanos) {

	static final MachineCpu UNKNOWN = new MachineCpu(-1, -1, -1);

	/**
	 * @return the counters now, {@link #UNKNOWN} where {@code /proc} cannot be read
	 */
	static MachineCpu now() {
		try {
			long busy = busyNanosFromProcStat(Files.readString(Path.of("/proc/stat")),
					ProcessStats.CLOCK_TICKS_PER_SECOND);
			long postgres = 0;
			long rabbit = 0;
			try (java.util.stream.Stream<Path> processes = Files.list(Path.of("/proc"))) {
				for (Path process : processes.filter(path -> path.getFileName().toString().matches("\\d+")).toList()) {
					try {
						String name = Files.readString(process.resolve("comm")).trim();
						if (name.equals("postgres") || name.equals("beam.smp")) {
							long nanos = cpuNanosWithChildren(Files.readString(process.resolve("stat")),
									ProcessStats.CLOCK_TICKS_PER_SECOND);
							if (name.equals("postgres")) {
								postgres += nanos;
							}
							else {
								rabbit += nanos;
							}
						}
					}
					catch (IOException ex) {
						// The process ended meanwhile: its parent's cutime has it.
					}
				}
			}
			return new MachineCpu(busy, postgres, rabbit);
		}
		catch (IOException | RuntimeException ex) {
			return UNKNOWN;
		}
	}

	/**
	 * @param start the counters at the window's start
	 * @return what was spent since then, {@link #UNKNOWN} when either is unknown
	 */
	MachineCpu since(MachineCpu start) {
		if (this.busyNanos < 0 || start.busyNanos < 0) {
			return UNKNOWN;
		}
		return new MachineCpu(this.busyNanos - start.busyNanos, this.postgresNanos - start.postgresNanos,
				this.rabbitNanos - start.rabbitNanos);
	}

	/**
	 * @param seconds the window's wall time
	 * @param count the events (requests, mails) in the window
	 * @return e.g.
	 * {@code machine 1.93 of 2 cores busy; PostgreSQL 41 and RabbitMQ 63 ms CPU per 1,000},
	 * empty when unknown
	 */
	String describe(double seconds, long count) {
		if (this.busyNanos < 0 || count == 0 || seconds <= 0) {
			return "";
		}
		return String.format(Locale.ROOT,
				"machine %.2f of %d cores busy; PostgreSQL %.0f and RabbitMQ %.0f ms CPU " + "per 1,000",
				this.busyNanos / 1e9 / seconds, Runtime.getRuntime().availableProcessors(),
				this.postgresNanos / 1e6 / count * 1000, this.rabbitNanos / 1e6 / count * 1000);
	}

	/**
	 * The machine's busy time in the first ({@code cpu}) line of {@code /proc/stat}:
	 * user, nice, system, irq, softirq and steal ticks; idle and iowait are not busy.
	 * Guest time is already part of user and nice.
	 * @param procStat the file's text
	 * @param ticksPerSecond the clock ticks per second
	 * @return busy CPU time of all cores, ns
	 */
	static long busyNanosFromProcStat(String procStat, long ticksPerSecond) {
		String line = procStat.substring(0, procStat.indexOf('\n'));
		if (!line.startsWith("cpu ")) {
			throw new IllegalArgumentException("not /proc/stat: " + line);
		}
		String[] fields = line.substring(4).trim().split("\\s+");
		long busy = 0;
		// user, nice, system, (idle, iowait,) irq, softirq, steal
		for (int field : new int[] { 0, 1, 2, 5, 6, 7 }) {
			if (field < fields.length) {
				busy += Long.parseLong(fields[field]);
			}
		}
		return busy * 1_000_000_000L / ticksPerSecond;
	}

	/**
	 * utime + stime + cutime + cstime of a {@code /proc/<pid>/stat} line (fields 14 to
	 * 17, {@link ProcessStats#ticksFromStat}).
	 * @param stat the line
	 * @param ticksPerSecond the clock ticks per second
	 * @return CPU time of the process and its ended children, ns
	 */
	static long cpuNanosWithChildren(String stat, long ticksPerSecond) {
		return ProcessStats.ticksFromStat(stat, 14, 17) * 1_000_000_000L / ticksPerSecond;
	}

}
