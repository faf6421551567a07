package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.management.OperatingSystemMXBean;

/**
 * CPU time and resident memory of a process: this JVM (its own
 * {@code OperatingSystemMXBean}) or a child (Linux {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/status}).
 */
abstract class ProcessStats {

	/** Linux reports utime and stime in clock ticks of {@code sysconf(_SC_CLK_TCK)}. */
	static final long CLOCK_TICKS_PER_SECOND = clockTicks();

	/**
	 * @return the process's CPU time so far (user + system), ns
	 */
	abstract long cpuNanos();

	/**
	 * @return the process id
	 */
	abstract long pid();

	/**
	 * @return the current resident set size (VmRSS) in bytes, -1 when unknown
	 */
	long rssBytes() {
		return statusKb(pid(), "VmRSS") * 1024;
	}

	/**
	 * @return the peak resident set size since the process started (VmHWM), -1 when
	 * unknown
	 */
	long peakRssBytes() {
		return statusKb(pid(), "VmHWM") * 1024;
	}

	/**
	 * The CPU time of the JVM's JIT compiler threads ({@code C1 CompilerThre...},
	 * {@code C2 CompilerThre...} in {@code /proc/<pid>/task/<tid>/comm}); a compiler
	 * thread that has ended no longer counts, so this is at least what they spent.
	 * @return ns so far, -1 when unknown
	 */
	long jitCpuNanos() {
		Path tasks = Path.of("/proc", Long.toString(pid()), "task");
		long sum = 0;
		try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
			for (Path thread : threads.toList()) {
				try {
					String name = Files.readString(thread.resolve("comm"));
					if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
						sum += cpuNanosFromStat(Files.readString(thread.resolve("stat")), CLOCK_TICKS_PER_SECOND);
					}
				}
				catch (IOException ex) {
					// The thread ended meanwhile.
				}
			}
			return sum;
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/**
	 * @return the stats of this JVM
	 */
	static ProcessStats self() {
		OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		long pid = ProcessHandle.current().pid();
		return new ProcessStats() {
			@Override
			long cpuNanos() {
				return os.getProcessCpuTime();
			}

			@Override
			long pid() {
				return pid;
			}
		};
	}

	/**
	 * @param pid a process id (a child's: {@code Process.pid()})
	 * @return its stats, read from /proc
	 */
	static ProcessStats of(long pid) {
		return new ProcessStats() {
			@Override
			long cpuNanos() {
				try {
					return cpuNanosFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")),
							CLOCK_TICKS_PER_SECOND);
				}
				catch (IOException ex) {
					return -1;
				}
			}

			@Override
			long pid() {
				return pid;
			}
		};
	}

	/**
	 * utime + stime of a {@code /proc/<pid>/stat} line. The command name (field 2) is in
	 * parentheses and may itself hold spaces and parentheses, so fields are counted after
	 * the last ')': state is field 3, utime field 14, stime field 15.
	 * @param stat the line
	 * @param ticksPerSecond the clock ticks per second
	 * @return CPU time in ns
	 */
	static long cpuNanosFromStat(String stat, long ticksPerSecond) {
		return ticksFromStat(stat, 14, 15) * 1_000_000_000L / ticksPerSecond;
	}

	/**
	 * The sum of consecutive tick fields of a {@code /proc/<pid>/stat} line, counted as
	 * {@code man 5 proc} numbers them (1 is the pid); fields from 3 on are read after the
	 * command name's last ')'.
	 * @param stat the line
	 * @param first the first field, at least 3
	 * @param last the last field
	 * @return their sum, in clock ticks
	 */
	static long ticksFromStat(String stat, int first, int last) {
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
		long ticks = 0;
		for (int field = first; field <= last; field++) {
			ticks += Long.parseLong(fields[field - 3]);
		}
		return ticks;
	}

	/**
	 * A {@code kB} value of {@code /proc/<pid>/status}.
	 * @param status the file's text
	 * @param key e.g. {@code VmRSS}
	 * @return the value in kB, -1 when absent
	 */
	static long kbFromStatus(String status, String key) {
		for (String line : status.split("\n")) {
			if (line.startsWith(key + ":")) {
				String value = line.substring(key.length() + 1).trim();
				return Long.parseLong(value.split("\\s+")[0]);
			}
		}
		return -1;
	}

	private static long statusKb(long pid, String key) {
		try {
			return kbFromStatus(Files.readString(Path.of("/proc", Long.toString(pid), "status")), key);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static long clockTicks() {
		try {
			Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
			String out = new String(getconf.getInputStream().readAllBytes()).trim();
			getconf.waitFor();
			return Long.parseLong(out);
		}
		catch (IOException | NumberFormatException ex) {
			return 100;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 100;
		}
	}

}
