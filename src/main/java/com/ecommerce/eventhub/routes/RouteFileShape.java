package com.ecommerce.eventhub.routes;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Checks the top level of a route file before Camel sees it, because Camel acts on some
 * entries while it parses: {@code beans:} creates objects in the hub's registry and
 * {@code routeConfiguration:} changes error handling, both before any validation could
 * refuse the file. The top level must be a list of {@code route}, {@code templatedRoute}
 * or {@code from} entries ({@code beans} and {@code routeConfiguration} too with
 * {@code hub.routes.allow-beans=true}). Before any tree is built, the file's nesting and
 * its size with aliases expanded are bounded ({@link YamlBounds}). Also finds the line of
 * each route id, for the reasons of a refusal.
 */
final class RouteFileShape {

	private static final Set<String> ROUTES = Set.of("route", "templatedRoute", "from");

	private static final Set<String> CODE = Set.of("beans", "routeConfiguration");

	private final boolean allowBeans;

	private final int maxCodePoints;

	RouteFileShape(boolean allowBeans, int maxCodePoints) {
		this.allowBeans = allowBeans;
		this.maxCodePoints = maxCodePoints;
	}

	/**
	 * @param content the file's text
	 * @return the line of each route id the file declares
	 * @throws RouteFileRejectedException when the top level holds anything else
	 */
	Map<String, Integer> check(String content) throws RouteFileRejectedException {
		Optional<Node> root;
		try {
			LoadSettings settings = LoadSettings.builder()
				.setCodePointLimit(this.maxCodePoints)
				.setAllowDuplicateKeys(false)
				.setAllowRecursiveKeys(false)
				.build();
			YamlBounds.check(content, settings);
			Iterator<Node> documents = new Compose(settings).composeAllFromString(content).iterator();
			root = documents.hasNext() ? Optional.of(documents.next()) : Optional.empty();
			if (documents.hasNext()) {
				throw new RouteFileRejectedException("a route file holds one YAML document", null, null);
			}
		}
		catch (YamlEngineException ex) {
			throw new RouteFileRejectedException("does not parse: " + ex.getMessage().lines().findFirst().orElse(""),
					YamlLines.lineOf(ex), ex);
		}
		if (root.isEmpty()) {
			return Map.of();
		}
		walk(root.get());
		if (!(root.get() instanceof SequenceNode entries)) {
			throw new RouteFileRejectedException("the top level must be a list of routes", line(root.get()), null);
		}
		Map<String, Integer> lines = new HashMap<>();
		for (Node entry : entries.getValue()) {
			if (!(entry instanceof MappingNode mapping) || mapping.getValue().size() != 1
					|| !(mapping.getValue().get(0).getKeyNode() instanceof ScalarNode key)) {
				throw new RouteFileRejectedException("every top-level entry must be one of " + ROUTES, line(entry),
						null);
			}
			String kind = key.getValue();
			if (CODE.contains(kind) && !this.allowBeans) {
				throw new RouteFileRejectedException(
						"'" + kind + "' is not allowed in route files "
								+ "(it acts on the whole hub; hub.routes.allow-beans=true permits it)",
						line(entry), null);
			}
			if (!ROUTES.contains(kind) && !CODE.contains(kind)) {
				throw new RouteFileRejectedException(
						"'" + kind + "' is not allowed at the top level of a route file; " + "use one of " + ROUTES,
						line(entry), null);
			}
			Node body = mapping.getValue().get(0).getValueNode();
			if (body instanceof MappingNode fields) {
				for (NodeTuple field : fields.getValue()) {
					if (field.getKeyNode() instanceof ScalarNode name
							&& ("id".equals(name.getValue()) || "routeId".equals(name.getValue()))
							&& field.getValueNode() instanceof ScalarNode id) {
						lines.put(id.getValue(), line(entry));
					}
				}
			}
		}
		return lines;
	}

	/**
	 * One pass over every node: a key written twice in one mapping (YAML keeps one
	 * silently, so what a reviewer reads is not what runs), and {@code beans} or
	 * {@code routeConfiguration} at any depth (a templated route may carry local beans
	 * too). Iterative, so no depth of nesting can overflow it.
	 */
	private void walk(Node root) throws RouteFileRejectedException {
		Deque<Node> pending = new ArrayDeque<>(List.of(root));
		Set<Node> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
		while (!pending.isEmpty()) {
			Node node = pending.pop();
			if (!visited.add(node)) {
				continue; // an alias of a node already checked
			}
			if (node instanceof MappingNode mapping) {
				Set<String> keys = new HashSet<>();
				for (NodeTuple field : mapping.getValue()) {
					if (field.getKeyNode() instanceof ScalarNode key) {
						if (!keys.add(key.getValue())) {
							throw new RouteFileRejectedException(
									"key '" + key.getValue() + "' appears twice in one mapping", line(key), null);
						}
						if (CODE.contains(key.getValue()) && !this.allowBeans) {
							throw new RouteFileRejectedException("'" + key.getValue()
									+ "' is not allowed in route files "
									+ "(it creates objects or changes error handling in the hub; hub.routes.allow-beans=true "
									+ "permits it)", line(key), null);
						}
					}
					pending.push(field.getValueNode());
				}
			}
			else if (node instanceof SequenceNode sequence) {
				sequence.getValue().forEach(pending::push);
			}
		}
	}

	private static Integer line(Node node) {
		return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(null);
	}

}
