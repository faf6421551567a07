package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.ecommerce.eventhub.support.TestTopology;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The packaged hub ({@code target/event-hub-0.1.0-SNAPSHOT.jar}, or {@code -Dhub.jar}) as
 * a child process on a topology of its own, launched as {@link Layout} says, so that its
 * CPU time and RSS are the hub's alone, not the benchmark's. Its output goes to a log
 * file, named when it fails.
 */
final class HubProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private final Path log;

	private final long launchedNanos;

	private final List<String> jvmOptions;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private HubProcess(Process process, int port, Path log, long launchedNanos, List<String> jvmOptions) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.launchedNanos = launchedNanos;
		this.jvmOptions = jvmOptions;
	}

	/**
	 * @return the packaged hub; fails with the command that builds it when missing
	 */
	static Path jar() {
		Path jar = Path.of(System.getProperty("hub.jar", "target/event-hub-0.1.0-SNAPSHOT.jar"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: build it with "
					+ "`./mvnw -Pbenchmark test-compile exec:java` (the profile packages the jar) or "
					+ "`./mvnw -DskipTests package`");
		}
		return jar;
	}

	/**
	 * How the hub is launched.
	 */
	enum Layout {

		/** {@code java -jar} on the packaged fat jar. */
		JAR,

		/**
		 * As the Dockerfile runs it: the jar unpacked ({@code -Djarmode=tools extract})
		 * and a class data sharing archive recorded by a training run
		 * ({@code -XX:ArchiveClassesAtExit}, {@code -Dspring.context.exit=onRefresh}),
		 * then {@code -XX:SharedArchiveFile}. The training runs as in the Dockerfile,
		 * without a database or broker, or with {@code -Dbench.cdsTraining=services}
		 * against them. Prepared in {@code target/bench-hub}, again when the jar is
		 * newer.
		 */
		SHIPPED;

		/**
		 * @return {@code -Dbench.hubLaunch=shipped|jar}, default shipped
		 */
		static Layout fromSystemProperties() {
			return valueOf(System.getProperty("bench.hubLaunch", "shipped").toUpperCase(java.util.Locale.ROOT));
		}

	}

	/**
	 * Launches the hub.
	 * @param name the instance's name (also the log file's)
	 * @param topology its schema, exchange and queues
	 * @param settings further properties, as command-line arguments
	 * @param jvmOptions JVM options, space separated
	 * @param layout how
	 * @return the running process (not yet ready)
	 * @throws IOException when it cannot be launched
	 */
	static HubProcess launch(String name, TestTopology topology, Map<String, Object> settings, String jvmOptions,
			Layout layout) throws IOException {
		List<String> launcher = (layout == Layout.SHIPPED) ? shippedLauncher() : List.of("-jar", jar().toString());
		int port = freePort();
		Map<String, Object> properties = new LinkedHashMap<>();
		topology.register(new DynamicPropertyRegistry() {
			@Override
			public void add(String key, Supplier<Object> supplier) {
				properties.put(key, supplier.get());
			}
		});
		properties.put("camel.main.name", name);
		properties.put("spring.application.name", name);
		properties.put("server.port", port);
		properties.put("spring.jmx.enabled", false);
		properties.putAll(settings);
		List<String> options = new ArrayList<>(
				Arrays.stream(jvmOptions.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList());
		options.addAll(launcher.subList(0, launcher.size() - 2));
		List<String> command = new ArrayList<>();
		command.add(java());
		command.addAll(options);
		command.addAll(launcher.subList(launcher.size() - 2, launcher.size()));
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		Path log = Files.createTempFile("bench-hub-" + name + "-", ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		// The child must not inherit the benchmark's own JVM options (e.g. a debugger
		// agent).
		builder.environment().remove("JAVA_TOOL_OPTIONS");
		long launched = System.nanoTime();
		return new HubProcess(builder.start(), port, log, launched, options);
	}

	/**
	 * The unpacked jar with its class data sharing archive, prepared on first use:
	 * extracted again and trained again when the packaged jar is newer.
	 * @return {@code -XX:SharedArchiveFile=..., -jar, <unpacked jar>}
	 */
	private static synchronized List<String> shippedLauncher() throws IOException {
		Path jar = jar();
		Path directory = Path.of("target", "bench-hub");
		Path unpacked = directory.resolve(jar.getFileName());
		boolean withServices = "services".equals(System.getProperty("bench.cdsTraining", "build"));
		Path archive = directory.resolve(withServices ? "app-services.jsa" : "app-build.jsa");
		boolean fresh = Files.isRegularFile(unpacked) && Files.isRegularFile(archive)
				&& Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
		if (!fresh) {
			long start = System.nanoTime();
			if (!Files.isRegularFile(unpacked)
					|| Files.getLastModifiedTime(unpacked).compareTo(Files.getLastModifiedTime(jar)) < 0) {
				deleteRecursively(directory);
				run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
						directory.toString()), "extract");
			}
			List<String> command = new ArrayList<>(List.of(java(), "-XX:ArchiveClassesAtExit=" + archive,
					"-Dspring.context.exit=onRefresh", "-jar", unpacked.toString()));
			if (withServices) {
				trainAgainstServices(command);
			}
			else {
				// The Dockerfile's training: no database or broker at build time, so the
				// run stops where the hub first needs one (start-up then fails, as it
				// does there). The addresses are unreachable ones, since this machine
				// has both at the defaults.
				command.addAll(List.of("--hub.topology.startup-wait=1s",
						"--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none",
						"--spring.rabbitmq.addresses=127.0.0.1:1", "--server.port=" + freePort()));
				run(command, "class data sharing training");
			}
			if (!Files.isRegularFile(archive)) {
				System.out.println("no class data sharing archive was written; the hub starts without one");
			}
			System.out.printf(java.util.Locale.ROOT, "hub unpacked and its CDS archive recorded in %.1f s: %s%n",
					(System.nanoTime() - start) / 1e9, directory);
		}
		return List.of("-XX:SharedArchiveFile=" + archive, "-jar", unpacked.toString());
	}

	/**
	 * A training run with a database and a broker: a whole hub on a topology of its own,
	 * until the context's refresh ({@code -Dbench.cdsTraining=services}; the archive then
	 * also holds what connecting to them loads).
	 */
	private static void trainAgainstServices(List<String> command) throws IOException {
		TestTopology training = TestTopology.unique("bench_cds");
		try {
			Map<String, Object> properties = new LinkedHashMap<>();
			training.register(new DynamicPropertyRegistry() {
				@Override
				public void add(String key, Supplier<Object> supplier) {
					properties.put(key, supplier.get());
				}
			});
			properties.put("server.port", freePort());
			properties.put("spring.jmx.enabled", false);
			properties.forEach((key, value) -> command.add("--" + key + "=" + value));
			run(command, "class data sharing training");
		}
		finally {
			try {
				training.cleanup();
			}
			catch (Exception ex) {
				System.out.println("the training topology was not removed: " + ex);
			}
		}
	}

	private static void deleteRecursively(Path directory) throws IOException {
		if (Files.exists(directory)) {
			try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
				for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.delete(file);
				}
			}
		}
	}

	private static void run(List<String> command, String what) throws IOException {
		Path log = Files.createTempFile("bench-hub-" + what.replace(' ', '-') + "-", ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().remove("JAVA_TOOL_OPTIONS");
		Process process = builder.start();
		try {
			if (!process.waitFor(5, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IllegalStateException(what + " did not finish within 5 minutes; log " + log);
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException(what + " interrupted", ex);
		}
	}

	private static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	long pid() {
		return this.process.pid();
	}

	ProcessStats stats() {
		return ProcessStats.of(pid());
	}

	int port() {
		return this.port;
	}

	/**
	 * @return {@code System.nanoTime()} just before the launch
	 */
	long launchedNanos() {
		return this.launchedNanos;
	}

	List<String> jvmOptions() {
		return this.jvmOptions;
	}

	/**
	 * @return whether {@code /readyz} answers 200 (UP) now
	 */
	boolean ready() {
		try {
			HttpResponse<Void> response = this.http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/readyz"))
					.timeout(Duration.ofSeconds(2))
					.build(), HttpResponse.BodyHandlers.discarding());
			return response.statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Waits for {@code /readyz} to answer UP.
	 * @param timeout how long at most
	 * @return {@code System.nanoTime()} of the first UP answer
	 */
	long awaitReady(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			requireAlive();
			if (ready()) {
				return System.nanoTime();
			}
			sleep(20);
		}
		throw new IllegalStateException("the hub was not ready within " + timeout + "; its log: " + this.log);
	}

	void requireAlive() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException(
					"the hub exited with " + this.process.exitValue() + "; its log: " + this.log + "\n" + tail());
		}
	}

	/**
	 * @return the hub's {@code /actuator/prometheus} scrape
	 * @throws Exception when it does not answer
	 */
	String prometheus() throws Exception {
		return this.http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/prometheus"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	Path log() {
		return this.log;
	}

	private String tail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "";
		}
	}

	/** SIGTERM, then SIGKILL after 60 s. */
	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void sleep(long millis) {
		java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
	}

}
