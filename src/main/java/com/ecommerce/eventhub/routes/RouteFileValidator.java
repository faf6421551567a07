package com.ecommerce.eventhub.routes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.ecommerce.eventhub.config.TopologyProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteDefinitionHelper;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Parses and checks a route file before anything of the running hub changes: its top
 * level ({@link RouteFileShape}), the YAML DSL, an id on every route that no other file
 * or Java route uses, known components and resolvable {@code {{placeholders}}}, existing
 * templates, well-formed template parameters, and a consumer queue the hub uses for
 * nothing else ({@link ConsumerQueueClaims}). Each refusal names the line of the route it
 * concerns.
 */
final class RouteFileValidator {

	/**
	 * The hub-consumer template parameters that are numbers or a choice, and their form:
	 * a value Camel cannot use would fail the route only when it starts, or worse, behave
	 * unexpectedly.
	 */
	private static final Map<String, String> PARAMETER_FORMATS = Map.ofEntries(
			Map.entry("maximumAttempts", "[1-9]\\d{0,3}"), Map.entry("initialDelay", "\\d{1,9}"),
			Map.entry("maxDelay", "\\d{1,9}"), Map.entry("attemptTimeout", "[1-9]\\d{0,8}"),
			Map.entry("multiplier", "[1-9]\\d{0,2}(\\.\\d{1,3})?"), Map.entry("concurrency", "[1-9]\\d?"),
			Map.entry("prefetch", "[1-9]\\d{0,3}"), Map.entry("majors", "[1-9]\\d{0,3}( *, *[1-9]\\d{0,3}){0,15}"),
			Map.entry("sideEffects", "at-least-once|at-most-once"), Map.entry("ordered", "true|false"),
			Map.entry("partitions", "[1-9]|[1-5]\\d|6[0-4]"), Map.entry("afterDeadLetter", "skip|park"),
			Map.entry("breakerFailures", "\\d{1,3}"), Map.entry("breakerProbeInterval", "[1-9]\\d{0,8}"),
			// One literal queue name: spring-rabbitmq takes a comma-separated list (so
			// "mine,dead-letter" would take both), the value is spliced into the
			// endpoint's URI ('&' would add options), and the hub declares the value as
			// written while the endpoint resolves placeholders in it.
			Map.entry("queue", "[A-Za-z0-9._:-]{1,255}"));

	private final CamelContext camel;

	private final RouteFileShape shape;

	private final TopologyProperties topology;

	RouteFileValidator(CamelContext camel, RouteFileShape shape, TopologyProperties topology) {
		this.camel = camel;
		this.shape = shape;
		this.topology = topology;
	}

	/**
	 * @param content a route file's text
	 * @return the line of every route id in it
	 * @throws RouteFileRejectedException when its top level is refused
	 */
	Map<String, Integer> lines(String content) throws RouteFileRejectedException {
		return this.shape.check(content);
	}

	/**
	 * Parses the file with Camel's YAML DSL; its shape is checked first ({@link #lines}).
	 * @param name the file name
	 * @param content its text
	 * @return the file's routes, not added to the hub
	 * @throws RouteFileRejectedException when it is refused or does not parse
	 */
	RouteBuilder parse(String name, String content) throws RouteFileRejectedException {
		try {
			Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(this.camel)
				.findRoutesBuilders(ResourceHelper.fromString("file:" + name, content));
			if (builders.size() != 1 || !(builders.iterator().next() instanceof RouteBuilder builder)) {
				throw new RouteFileRejectedException("not a Camel YAML route file", null, null);
			}
			builder.configureRoutes(this.camel);
			return builder;
		}
		catch (RouteFileRejectedException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new RouteFileRejectedException("does not parse: " + RouteFiles.rootMessage(ex), YamlLines.lineOf(ex),
					ex);
		}
	}

	/**
	 * Checks the file's routes and returns their ids.
	 * @param builder the parsed file
	 * @param lines the line of each route id
	 * @param ownIds the ids the file's previous version defines (they may be used again)
	 * @param fileOf which file defines a route id now, empty for a Java route
	 * @return the route ids, in file order
	 * @throws RouteFileRejectedException when a route is refused
	 */
	List<String> validate(RouteBuilder builder, Map<String, Integer> lines, List<String> ownIds,
			Function<String, Optional<String>> fileOf) throws RouteFileRejectedException {
		if (!builder.getRouteTemplateCollection().getRouteTemplates().isEmpty()
				|| !builder.getRestCollection().getRests().isEmpty()) {
			throw new RouteFileRejectedException("route files may define routes and templated routes only", null, null);
		}
		List<String> ids = new ArrayList<>();
		for (RouteDefinition route : builder.getRouteCollection().getRoutes()) {
			if (route.getLineNumber() < 0 && route.getRouteId() != null && lines.containsKey(route.getRouteId())) {
				route.setLineNumber(lines.get(route.getRouteId()));
			}
			ids.add(requireId(route.getRouteId(), route.getLineNumber()));
			if (!route.isErrorHandlerFactorySet()) {
				// A file's helper routes fail back to the hub consumer that called them,
				// whose dead letter
				// channel is the one retry layer; Camel's default handler would log each
				// failure as an error.
				route.setErrorHandlerFactory(new NoErrorHandlerDefinition());
			}
			for (String uri : RouteDefinitionHelper.gatherAllEndpointUris(this.camel, route, true, true, true)) {
				checkEndpoint(uri, route.getLineNumber());
			}
		}
		Model model = this.camel.getCamelContextExtension().getContextPlugin(Model.class);
		ConsumerQueueClaims queues = ConsumerQueueClaims.of(this.topology, model, ownIds, fileOf);
		for (TemplatedRouteDefinition templated : builder.getTemplatedRouteCollection().getTemplatedRoutes()) {
			int line = (templated.getRouteId() != null) ? lines.getOrDefault(templated.getRouteId(), -1) : -1;
			ids.add(requireId(templated.getRouteId(), line));
			if (model.getRouteTemplateDefinition(templated.getRouteTemplateRef()) == null) {
				throw new RouteFileRejectedException("unknown route template '" + templated.getRouteTemplateRef() + "'",
						line(line), null);
			}
			Set<String> names = new HashSet<>();
			for (TemplatedRouteParameterDefinition parameter : templated.getParameters()) {
				// Camel keeps one of the two, so a check of the other is not a check of
				// what runs ("queue" twice got past the queue check).
				if (!names.add(parameter.getName())) {
					throw new RouteFileRejectedException("parameter '" + parameter.getName() + "' appears twice",
							line(line), null);
				}
				if ("target".equals(parameter.getName())) {
					checkEndpoint(parameter.getValue(), line);
				}
				String format = PARAMETER_FORMATS.get(parameter.getName());
				if (format != null && (parameter.getValue() == null || !parameter.getValue().matches(format))) {
					throw new RouteFileRejectedException(
							parameter.getName() + " must match " + format + ", got '" + parameter.getValue() + "'",
							line(line), null);
				}
				if ("queue".equals(parameter.getName())) {
					Optional<String> refusal = queues.take(parameter.getValue(), templated.getRouteId());
					if (refusal.isPresent()) {
						throw new RouteFileRejectedException(refusal.get(), line(line), null);
					}
				}
			}
		}
		Set<String> unique = new TreeSet<>(ids);
		if (unique.size() != ids.size()) {
			throw new RouteFileRejectedException("a route id appears twice in the file", null, null);
		}
		for (String id : ids) {
			if (this.camel.getRoute(id) != null && !ownIds.contains(id)) {
				throw new RouteFileRejectedException(
						"route id '" + id + "' is already used by "
								+ fileOf.apply(id).map(file -> "file " + file).orElse("a Java route"),
						line(lines.getOrDefault(id, -1)), null);
			}
		}
		return ids;
	}

	private static String requireId(String id, int line) throws RouteFileRejectedException {
		if (id == null || id.isBlank()) {
			throw new RouteFileRejectedException("every route needs an id (it names what a reload replaces)",
					line(line), null);
		}
		return id;
	}

	private void checkEndpoint(String uri, int line) throws RouteFileRejectedException {
		String resolved;
		try {
			resolved = this.camel.resolvePropertyPlaceholders(uri);
		}
		catch (RuntimeException ex) {
			throw new RouteFileRejectedException("endpoint '" + uri + "': " + RouteFiles.rootMessage(ex), line(line),
					ex);
		}
		int colon = resolved.indexOf(':');
		String scheme = (colon > 0) ? resolved.substring(0, colon) : resolved;
		if (this.camel.getComponent(scheme) == null) {
			throw new RouteFileRejectedException("unknown component '" + scheme + "' in endpoint '" + uri + "'",
					line(line), null);
		}
	}

	private static Integer line(int line) {
		return (line > 0) ? line : null;
	}

}
