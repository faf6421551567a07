package com.ecommerce.eventhub.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.config.RoutesProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Applies the route files of {@code hub.routes.directory} to the running hub, one file at
 * a time and touching only that file's routes.
 *
 * <p>
 * Camel's own route reload is a development aid: it swaps first and fails afterwards.
 * Here a file is parsed and validated before anything is swapped (every route needs an id
 * that no other file or Java route has, every endpoint a known component and resolvable
 * placeholders, every templated route an existing template, every consumer a queue the
 * hub uses for nothing else). Only then are the file's old routes stopped gracefully
 * (in-flight messages finish, unacknowledged ones return to their queue) and the new ones
 * added; if adding fails, the old version is put back. Each result is logged, counted
 * ({@code eventhub_route_reloads_total{result}}) and kept for {@code GET /api/v1/routes}.
 * Deleting a file stops and removes its routes; their queues and messages stay.
 */
@Component
public class RouteFiles {

	private static final Logger log = LoggerFactory.getLogger(RouteFiles.class);

	private static final long STOP_TIMEOUT_SECONDS = 30;

	private final CamelContext camel;

	private final RoutesProperties properties;

	private final MeterRegistry meters;

	private final Clock clock;

	/** The files whose routes run now, by file name. */
	private final Map<String, LoadedFile> loaded = new ConcurrentHashMap<>();

	/**
	 * The last content hash looked at per file, applied or not, so a bad file is reported
	 * once.
	 */
	private final Map<String, String> seen = new ConcurrentHashMap<>();

	private final Map<String, ReloadResult> results = new ConcurrentHashMap<>();

	private final RouteFolder folder;

	private final RouteFileValidator validator;

	/** Why the folder cannot be read, null while it can. */
	private volatile String folderProblem;

	public RouteFiles(CamelContext camel, RoutesProperties properties, TopologyProperties topology,
			MeterRegistry meters, Clock clock) {
		this.camel = camel;
		this.properties = properties;
		this.meters = meters;
		this.clock = clock;
		this.folder = new RouteFolder(properties.directory(), properties.maxFileSize().toBytes());
		this.validator = new RouteFileValidator(camel, new RouteFileShape(properties.allowBeans(),
				(int) Math.min(Integer.MAX_VALUE, properties.maxFileSize().toBytes())), topology);
		List.of("applied", "rejected", "removed").forEach(this::registerCounter);
	}

	private void registerCounter(String result) {
		this.meters.counter("eventhub.route.reloads", "result", result);
	}

	/**
	 * Applies what changed in the routes folder since the last scan. A missing folder is
	 * reported (the Java routes run on); a refused file is reported and its previous
	 * routes keep running.
	 */
	public synchronized void scan() {
		Map<String, RouteFolder.Entry> present;
		try {
			present = this.folder.list();
			folderProblem(this.folder.exists() ? null : "the routes folder " + this.folder.directory().toAbsolutePath()
					+ " does not exist or is not a directory; only the Java routes run");
		}
		catch (IOException ex) {
			folderProblem("cannot list the routes folder " + this.folder.directory().toAbsolutePath() + ": "
					+ ex.getMessage());
			return;
		}
		present.forEach((name, entry) -> {
			// A refusal is remembered like content, so an unchanged bad file is reported
			// once.
			String hash = (entry.content() != null) ? sha256(entry.content()) : "refused:" + entry.refusal();
			if (!hash.equals(this.seen.get(name))) {
				this.seen.put(name, hash);
				if (entry.content() != null) {
					apply(name, entry.content());
				}
				else {
					LoadedFile previous = this.loaded.get(name);
					reject(name, (previous != null) ? previous.routeIds() : List.of(), null, entry.refusal());
				}
			}
		});
		for (String name : new TreeSet<>(this.seen.keySet())) {
			if (!present.containsKey(name)) {
				this.seen.remove(name);
				remove(name);
			}
		}
	}

	private void folderProblem(String problem) {
		if (problem != null && !problem.equals(this.folderProblem)) {
			log.warn("Route files: {}", problem);
		}
		else if (problem == null && this.folderProblem != null) {
			log.info("Route folder {} is readable again", this.folder.directory().toAbsolutePath());
		}
		this.folderProblem = problem;
	}

	/**
	 * The routes folder as the hub sees it.
	 * @return path, whether it is readable, and the problem when it is not
	 */
	public Map<String, Object> folderStatus() {
		Map<String, Object> status = new java.util.LinkedHashMap<>();
		status.put("path", this.folder.directory().toAbsolutePath().toString());
		status.put("readable", this.folderProblem == null);
		if (this.folderProblem != null) {
			status.put("problem", this.folderProblem);
		}
		return status;
	}

	/** The last reload result of every file, by file name. */
	public Collection<ReloadResult> results() {
		return new TreeMap<>(this.results).values();
	}

	/**
	 * @param routeId a route
	 * @return the file that defines it, empty for a Java route
	 */
	public Optional<String> fileOf(String routeId) {
		return this.loaded.entrySet()
			.stream()
			.filter(entry -> entry.getValue().routeIds().contains(routeId))
			.map(Map.Entry::getKey)
			.findFirst();
	}

	private void apply(String name, String content) {
		LoadedFile previous = this.loaded.get(name);
		List<String> previousIds = (previous != null) ? previous.routeIds() : List.of();
		RouteBuilder candidate;
		List<String> ids;
		try {
			Map<String, Integer> lines = this.validator.lines(content);
			candidate = this.validator.parse(name, content);
			ids = this.validator.validate(candidate, lines, previousIds, this::fileOf);
		}
		catch (RouteFileRejectedException ex) {
			reject(name, previousIds, ex.line(), ex.getMessage());
			return;
		}
		catch (RuntimeException ex) {
			// A failure the checks do not expect is a bug of the hub, but the file caused
			// it: refused, so the watcher goes on with the other files and later polls.
			log.error("Checking route file {} failed unexpectedly", name, ex);
			reject(name, previousIds, YamlLines.lineOf(ex), "could not be checked: " + rootMessage(ex));
			return;
		}
		catch (StackOverflowError ex) {
			// The last guard behind YamlBounds: checking parses an operator's text on the
			// watcher thread, and an Error escaping here ends that thread and every later
			// reload with it. The overflow has unwound by now, nothing of the hub has
			// changed yet, and the file alone caused it, so refusing the file is safe.
			reject(name, previousIds, null, "could not be checked: the parsers ran out of stack (nested too deep)");
			return;
		}
		stopAndRemove(previousIds);
		try {
			addRoutes(candidate);
		}
		catch (Exception ex) {
			stopAndRemove(ids.stream().filter(id -> this.camel.getRoute(id) != null).toList());
			restore(name, previous);
			reject(name, previousIds, null, "routes could not be started: " + rootMessage(ex));
			return;
		}
		this.loaded.put(name, new LoadedFile(content, ids));
		this.results.put(name, ReloadResult.applied(name, this.clock.instant(), ids));
		count("applied");
		log.info("Applied route file {}: routes {} (replacing {})", name, ids, previousIds);
	}

	private void remove(String name) {
		LoadedFile previous = this.loaded.remove(name);
		if (previous != null) {
			stopAndRemove(previous.routeIds());
			log.info("Route file {} was deleted: stopped and removed routes {}; their queues keep their messages", name,
					previous.routeIds());
		}
		this.results.put(name, ReloadResult.removed(name, this.clock.instant()));
		count("removed");
	}

	private void restore(String name, LoadedFile previous) {
		if (previous == null) {
			return;
		}
		try {
			addRoutes(this.validator.parse(name, previous.content()));
		}
		catch (Exception ex) {
			log.error("Could not put back the previous routes of {}: {}", name, rootMessage(ex));
			this.loaded.remove(name);
		}
	}

	/**
	 * Adds the file's plain routes and its templated routes (Camel adds those in a second
	 * step).
	 */
	private void addRoutes(RouteBuilder builder) throws Exception {
		this.camel.addRoutes(builder);
		this.camel.addTemplatedRoutes(builder);
	}

	private void stopAndRemove(List<String> routeIds) {
		// Consumer routes first, so their in-flight messages can still call the file's
		// direct: routes.
		List<String> ordered = new ArrayList<>(routeIds);
		ordered.sort((a, b) -> Boolean.compare(isDirect(a), isDirect(b)));
		for (String id : ordered) {
			try {
				this.camel.getRouteController().stopRoute(id, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				log.warn("Stopping route {} failed: {}", id, rootMessage(ex));
			}
		}
		for (String id : ordered) {
			try {
				this.camel.removeRoute(id);
			}
			catch (Exception ex) {
				log.warn("Removing route {} failed: {}", id, rootMessage(ex));
			}
		}
	}

	private boolean isDirect(String routeId) {
		org.apache.camel.Route route = this.camel.getRoute(routeId);
		return route != null && route.getEndpoint().getEndpointUri().startsWith("direct:");
	}

	private void reject(String name, List<String> keptIds, Integer line, String reason) {
		this.results.put(name, ReloadResult.rejected(name, this.clock.instant(), keptIds, line, reason));
		count("rejected");
		log.warn("Rejected route file {}{}: {}; routes {} keep running unchanged", name,
				(line != null) ? " (line " + line + ")" : "", reason, keptIds);
	}

	private void count(String result) {
		this.meters.counter("eventhub.route.reloads", "result", result).increment();
	}

	static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return message.lines().findFirst().orElse(message);
	}

	private static String sha256(String content) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A file whose routes run: its content (to put it back) and its route ids. */
	private record LoadedFile(String content, List<String> routeIds) {
	}

}
