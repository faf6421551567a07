package com.ecommerce.eventhub.routes;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;

/**
 * Bounds a route file's nesting depth and its size with every alias expanded, in one pass
 * over the parser's events and before anything builds a tree. SnakeYAML Engine limits
 * neither (its {@code LoadSettings} bound only the characters read and the number of
 * aliases): its composer, and Camel's YAML DSL after it, recurse once per level, so
 * 120,000 nested brackets overflow the stack, and 45 aliases in five levels expand into
 * 66,000 processors that Camel needs a minute of CPU to build. The parser itself keeps
 * its state on the heap, so reading the events is safe at any depth.
 */
final class YamlBounds {

	/**
	 * Levels of mappings and sequences. A route file's own frame (list, entry, route,
	 * from, steps, step) takes six, each nested choice, split or filter about four more:
	 * 64 allows over a dozen nested blocks, far beyond any route a reviewer can read, and
	 * keeps the composer's and Camel's recursion to a few hundred frames.
	 */
	static final int MAX_DEPTH = 64;

	/**
	 * Scalars, mappings and sequences, each alias counted as the whole node it repeats.
	 * The routes shipped with the hub have about a hundred. Measured: a file at the bound
	 * (3,300 {@code log} steps, 55 KB) takes Camel 0.7 s to build; one of 860 bytes with
	 * four levels of nine aliases (refused) four seconds, five levels a minute.
	 */
	static final int MAX_NODES = 10_000;

	private YamlBounds() {
	}

	/**
	 * @param content the file's text
	 * @param settings the settings the file is composed with afterwards (code point
	 * limit)
	 * @throws RouteFileRejectedException when the file nests too deep or expands too far
	 * @throws org.snakeyaml.engine.v2.exceptions.YamlEngineException when it does not
	 * parse
	 */
	static void check(String content, LoadSettings settings) throws RouteFileRejectedException {
		// Each open collection's node count so far, and its anchor: on its end the count
		// becomes the size of every alias of that anchor.
		Deque<Open> open = new ArrayDeque<>();
		Map<Anchor, Long> sizes = new HashMap<>();
		long total = 0;
		for (Event event : new Parse(settings).parseString(content)) {
			long nodes = 0; // what the event adds to the expanded file and to its
							// collection
			switch (event.getEventId()) {
				case SequenceStart, MappingStart -> {
					if (open.size() == MAX_DEPTH) {
						throw new RouteFileRejectedException(
								"nested more than " + MAX_DEPTH
										+ " levels deep (mappings and lists); a route file is refused beyond that",
								line(event), null);
					}
					open.push(new Open(((NodeEvent) event).getAnchor()));
					total += 1; // the collection itself; its parent counts it on its end
				}
				case SequenceEnd, MappingEnd -> {
					Open done = open.pop();
					done.anchor.ifPresent(anchor -> sizes.put(anchor, done.nodes + 1));
					if (!open.isEmpty()) {
						open.peek().nodes += done.nodes + 1;
					}
				}
				case Scalar -> {
					((NodeEvent) event).getAnchor().ifPresent(anchor -> sizes.put(anchor, 1L));
					nodes = 1;
				}
				case Alias -> {
					Anchor alias = ((AliasEvent) event).getAlias();
					if (open.stream().anyMatch(collection -> collection.anchor.filter(alias::equals).isPresent())) {
						throw new RouteFileRejectedException(
								"alias *" + alias + " repeats a node that contains it (endless when expanded)",
								line(event), null);
					}
					nodes = sizes.getOrDefault(alias, 1L); // an unknown alias fails the
															// composer
				}
				default -> {
				}
			}
			total += nodes;
			if (nodes > 0 && !open.isEmpty()) {
				open.peek().nodes += nodes;
			}
			if (total > MAX_NODES) {
				throw new RouteFileRejectedException(
						"more than " + MAX_NODES
								+ " YAML nodes with its aliases expanded; a route file is refused beyond that",
						line(event), null);
			}
		}
	}

	private static Integer line(Event event) {
		return event.getStartMark().map(start -> start.getLine() + 1).orElse(null);
	}

	/** A mapping or sequence whose end has not been read yet. */
	private static final class Open {

		private final Optional<Anchor> anchor;

		private long nodes;

		private Open(Optional<Anchor> anchor) {
			this.anchor = anchor;
		}

	}

}
