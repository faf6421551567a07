package com.ecommerce.eventhub;

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
 * The package rule of STYLE.md "Layout by capability": one package per capability, each readable
 * on its own. {@code envelope} is plain Java; {@code config} knows only {@code envelope}; every
 * other package (a capability such as {@code outbox} or {@code ops}, including ones not written
 * yet) may use {@code envelope}, {@code config}, {@code topology}, {@code web} and {@code outbox}
 * (the event store every capability writes to) and {@code consumers} (the consumer foundation
 * every consumer is built on), the shared infrastructure,
 * but no other capability.
 */
@AnalyzeClasses(packages = ArchitectureTest.HUB, importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	static final String HUB = "com.ecommerce.eventhub";

	private static final String ENVELOPE = HUB + ".envelope..";

	private static final String CONFIG = HUB + ".config..";

	/** Top-level hub packages every capability may depend on. */
	private static final Set<String> SHARED = Set.of("envelope", "config", "topology", "web", "outbox", "consumers");

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

	@ArchTest
	static final ArchRule config_depends_only_on_envelope = noClasses().that()
		.resideInAPackage(CONFIG)
		.should()
		.dependOnClassesThat(resideInAPackage(HUB + "..").and(resideOutsideOfPackages(CONFIG, ENVELOPE)))
		.because("settings are read by every capability and must not pull one into another");

	/*
	 * Selected by exclusion rather than by a list, so a new capability package (consumers, email,
	 * ingestion, ...) is covered the day it appears. The root package (the application class) may
	 * wire anything and is not a capability.
	 */
	@ArchTest
	static final ArchRule capabilities_depend_only_on_shared_packages = classes().that()
		.resideInAPackage(HUB + ".*..")
		.and(resideOutsideOfPackages(ENVELOPE, CONFIG))
		.should(dependOnlyOnTheirOwnPackageOrShared())
		.because("a capability must be readable and changeable on its own (STYLE.md \"Layout by capability\"); "
				+ "what two capabilities share belongs in envelope, config, topology, web, outbox or consumers");

	@ArchTest
	static final ArchRule no_field_injection = GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION
		.because("constructor injection keeps dependencies visible and classes testable without Spring");

	private static ArchCondition<JavaClass> dependOnlyOnTheirOwnPackageOrShared() {
		return new ArchCondition<>("depend, among the hub's packages, only on their own capability and on "
				+ String.join(", ", SHARED.stream().sorted().toList())) {

			@Override
			public void check(JavaClass origin, ConditionEvents events) {
				String own = topLevelPackage(origin);
				for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
					JavaClass target = dependency.getTargetClass().getBaseComponentType();
					if (!resideInAnyPackage(HUB + "..").test(target)) {
						continue;
					}
					String targetPackage = topLevelPackage(target);
					if (!targetPackage.equals(own) && !SHARED.contains(targetPackage)) {
						events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
					}
				}
			}

		};
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
