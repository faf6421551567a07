package com.ecommerce.eventhub.routes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What may stand at the top level of a route file, checked before Camel reads it. */
class RouteFileShapeTest {

	private static final String BEANS = """
			- beans:
			    - name: helper
			      type: java.lang.StringBuilder
			- route:
			    id: uses-helper
			    from:
			      uri: timer:x
			      steps:
			        - log: "x"
			""";

	@Test
	void beansAndRouteConfigurationNeedAllowBeans() throws Exception {
		RouteFileShape strict = new RouteFileShape(false, 100_000);
		assertThatThrownBy(() -> strict.check(BEANS)).isInstanceOf(RouteFileRejectedException.class)
			.hasMessageContaining("'beans' is not allowed")
			.extracting(ex -> ((RouteFileRejectedException) ex).line())
			.isEqualTo(1);
		assertThatThrownBy(() -> strict.check("- routeConfiguration:\n    id: all\n"))
			.hasMessageContaining("'routeConfiguration' is not allowed");
		assertThat(new RouteFileShape(true, 100_000).check(BEANS)).containsEntry("uses-helper", 4);
		// Local beans of a templated route are beans all the same.
		assertThatThrownBy(() -> strict.check("""
				- templatedRoute:
				    routeTemplateRef: hub-consumer
				    routeId: with-local-beans
				    beans:
				      - name: helper
				        type: java.lang.StringBuilder
				""")).hasMessageContaining("'beans' is not allowed")
			.extracting(ex -> ((RouteFileRejectedException) ex).line())
			.isEqualTo(4);
	}

	@Test
	void onlyAListOfRoutesIsAFile() {
		RouteFileShape shape = new RouteFileShape(false, 100_000);
		assertThatThrownBy(() -> shape.check("route:\n  id: x\n")).hasMessageContaining("must be a list");
		assertThatThrownBy(() -> shape.check("- rest:\n    path: /x\n")).hasMessageContaining("'rest' is not allowed");
		assertThatThrownBy(() -> shape.check("- route: {}\n  other: {}\n"))
			.isInstanceOf(RouteFileRejectedException.class);
		assertThatThrownBy(() -> shape.check("- route: {id: a}\n---\n- route: {id: b}\n"))
			.hasMessageContaining("one YAML document");
		assertThatThrownBy(() -> shape.check("- route: {id: a, id: b}\n")).hasMessageContaining("'id' appears twice");
		assertThatThrownBy(() -> new RouteFileShape(false, 100).check("- route: {id: " + "a".repeat(200) + "}\n"))
			.hasMessageContaining("does not parse");
	}

	@Test
	void findsTheLineOfEveryRouteId() throws Exception {
		assertThat(new RouteFileShape(false, 100_000).check("""
				# a comment
				- templatedRoute:
				    routeTemplateRef: hub-consumer
				    routeId: first
				- route:
				    id: second
				""")).containsEntry("first", 2).containsEntry("second", 5);
	}

	@Test
	void aFileNestedTooDeepIsRefusedBeforeAnyParserRecursesIntoIt() {
		String deep = "[".repeat(120_000) + "]".repeat(120_000) + "\n";
		assertThatThrownBy(() -> new RouteFileShape(false, 256 * 1024).check(deep))
			.isInstanceOf(RouteFileRejectedException.class)
			.hasMessageContaining("nested more than 64 levels");
	}

	@Test
	void aFileWhoseAliasesExpandTooFarIsRefused() {
		// 45 aliases, under SnakeYAML's limit of 50, that expand to about 66,000
		// processors.
		StringBuilder bomb = new StringBuilder("""
				- route:
				    id: bomb
				    from:
				      uri: timer:bomb
				      steps:
				        - pipeline: &l0 {steps: [{log: x}]}
				""");
		for (int level = 1; level <= 5; level++) {
			bomb.append("        - pipeline: &l%d {steps: [%s]}\n".formatted(level,
					String.join(", ", java.util.Collections.nCopies(9, "{pipeline: *l" + (level - 1) + "}"))));
		}
		assertThat(bomb.length()).isLessThan(1_200);
		assertThatThrownBy(() -> new RouteFileShape(false, 100_000).check(bomb.toString()))
			.isInstanceOf(RouteFileRejectedException.class)
			.hasMessageContaining("more than 10000 YAML nodes with its aliases expanded");
		assertThatThrownBy(() -> new RouteFileShape(false, 100_000).check("""
				- route: &itself
				    id: endless
				    from:
				      uri: timer:endless
				      steps:
				        - pipeline: *itself
				""")).hasMessageContaining("alias *itself repeats a node that contains it")
			.extracting(ex -> ((RouteFileRejectedException) ex).line())
			.isEqualTo(6);
	}

	@Test
	void anAliasWithinTheBoundsIsAccepted() throws Exception {
		assertThat(new RouteFileShape(false, 100_000).check("""
				- route:
				    id: first
				    from:
				      uri: timer:first
				      parameters: &every-minute
				        period: 60000
				      steps:
				        - log: "first"
				- route:
				    id: second
				    from:
				      uri: timer:second
				      parameters: *every-minute
				      steps:
				        - log: "second"
				""")).containsEntry("first", 1).containsEntry("second", 9);
	}

}
