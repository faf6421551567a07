package com.ecommerce.eventhub.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextCustomizerFactories;

/**
 * An integration test against the real PostgreSQL and RabbitMQ, in a schema, exchange and
 * queues of its own ({@link TestTopology#of(Class)}), which the hub is pointed at and
 * which are removed after the class. A missing service fails the test with a message that
 * says how to start it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@CamelSpringBootTest
@SpringBootTest
@DirtiesContext
@ContextCustomizerFactories(HubTopologies.class)
@ExtendWith(HubTopologies.class)
public @interface HubIntegrationTest {

	/**
	 * Further properties of the hub, as {@code key=value}.
	 * @return the properties
	 */
	@AliasFor(annotation = SpringBootTest.class, attribute = "properties")
	String[] properties() default {};

	/**
	 * Whether the hub listens for HTTP (on a random port) or not at all.
	 * @return the web environment
	 */
	@AliasFor(annotation = SpringBootTest.class, attribute = "webEnvironment")
	WebEnvironment webEnvironment() default WebEnvironment.RANDOM_PORT;

}
