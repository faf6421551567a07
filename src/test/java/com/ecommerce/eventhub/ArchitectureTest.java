package com.ecommerce.eventhub;

import java.util.Map;
import java.util.Set;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The package rule of STYLE.md "Layout by capability", as a matrix: which of the hub's
 * packages each package may use. The core every capability may use is {@code envelope}
 * (plain Java), {@code config}, {@code tracing} (spans of an event's path),
 * {@code topology} (the broker: connections, publishing, dead letters) and {@code outbox}
 * (the event store); beyond it, the HTTP capabilities use {@code web}, and the consumers
 * ({@code email}) and operations ({@code ops}, {@code replay}) use the consumer
 * foundation's API. Operator actions are recorded by {@code audit}, which the operations
 * ({@code ops}, {@code routes}, {@code replay}) use like the core. No capability uses
 * another capability, except the operator {@code console}: it is a view of the operations
 * capabilities and calls their public services ({@code ops}, {@code routes},
 * {@code replay}, {@code audit}) instead of repeating them. A package that is not in the
 * matrix fails the build until it is placed in it.
 */
@AnalyzeClasses(packages = ArchitectureTest.HUB, importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	static final String HUB = "com.ecommerce.eventhub";

	private static final String ENVELOPE = HUB + ".envelope..";

	private static final Set<String> CORE = Set.of("envelope", "config", "tracing", "topology", "outbox");

	/** Each package and the hub packages it may use besides itself. */
	private static final Map<String, Set<String>> MAY_USE = Map.ofEntries(Map.entry("envelope", Set.of()),
			Map.entry("config", Set.of("envelope")), Map.entry("tracing", Set.of()),
			Map.entry("topology", Set.of("envelope", "config")),
			Map.entry("outbox", Set.of("envelope", "config", "tracing", "topology")),
			Map.entry("web", Set.of("envelope", "config")), Map.entry("consumers", CORE),
			Map.entry("email", union(CORE, "consumers")), Map.entry("ingestion", union(CORE, "web")),
			Map.entry("routes", union(CORE, "web", "audit")),
			Map.entry("ops", union(CORE, "web", "consumers", "audit")),
			Map.entry("audit", Set.of("envelope", "config", "web")),
			Map.entry("replay", union(CORE, "web", "consumers", "audit")),
			Map.entry("console", union(CORE, "web", "audit", "ops", "routes", "replay")));

	@ArchTest
	static final ArchRule envelope_is_plain_java = noClasses().that()
		.resideInAPackage(ENVELOPE)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.apache.camel..", "org.springframework..")
		.because("the envelope is shared by the relay, ingestion and consumers and is unit-tested without a "
				+ "container (STYLE.md: envelope is plain Java, no Camel)");

	@ArchTest
	static final ArchRule envelope_depends_on_no_other_hub_package = noClasses().that()
		.resideInAPackage(ENVELOPE)
		.should()
		.dependOnClassesThat(resideInAPackage(HUB + "..").and(resideOutsideOfPackages(ENVELOPE)))
		.because("every other package builds on the envelope, so it must not build on them");

	/*
	 * Selected by exclusion rather than by a list, so a new package is covered the day it
	 * appears. The root package (the application class) may wire anything and is not a
	 * capability.
	 */
	@ArchTest
	static final ArchRule packages_use_only_what_the_matrix_allows = classes().that()
		.resideInAPackage(HUB + ".*..")
		.should(useOnlyWhatTheMatrixAllows())
		.because("a capability must be readable and changeable on its own (STYLE.md \"Layout by capability\"): "
				+ "it builds on the core (envelope, config, topology, outbox), not on another capability");

	@ArchTest
	static final ArchRule no_field_injection = GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION
		.because("constructor injection keeps dependencies visible and classes testable without Spring");

	private static ArchCondition<JavaClass> useOnlyWhatTheMatrixAllows() {
		return new ArchCondition<>("use, among the hub's packages, only their own and what the matrix allows") {

			@Override
			public void check(JavaClass origin, ConditionEvents events) {
				String own = topLevelPackage(origin);
				Set<String> allowed = MAY_USE.get(own);
				if (allowed == null) {
					events.add(SimpleConditionEvent.violated(origin,
							"package " + own + " of " + origin.getName() + " is not in ArchitectureTest's matrix"));
					return;
				}
				for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
					JavaClass target = dependency.getTargetClass().getBaseComponentType();
					if (!resideInAnyPackage(HUB + "..").test(target)) {
						continue;
					}
					String targetPackage = topLevelPackage(target);
					if (!targetPackage.equals(own) && !allowed.contains(targetPackage)) {
						events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
					}
				}
			}

		};
	}

	private static Set<String> union(Set<String> base, String... more) {
		Set<String> all = new java.util.TreeSet<>(base);
		all.addAll(Set.of(more));
		return Set.copyOf(all);
	}

	/**
	 * The first package below the hub's root, e.g. {@code outbox} for
	 * {@code com.ecommerce.eventhub.outbox.sql}; empty for the root package itself.
	 */
	private static String topLevelPackage(JavaClass javaClass) {
		String packageName = javaClass.getPackageName();
		if (packageName.equals(HUB)) {
			return "";
		}
		String below = packageName.substring(HUB.length() + 1);
		int dot = below.indexOf('.');
		return (dot < 0) ? below : below.substring(0, dot);
	}

}
