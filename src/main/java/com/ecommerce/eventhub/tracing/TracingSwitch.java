package com.ecommerce.eventhub.tracing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.util.StringUtils;

/**
 * Traces are off until an OTLP endpoint is set: {@code management.otlp.tracing.endpoint}
 * (e.g. {@code http://collector:4318/v1/traces}) turns Spring Boot's tracing on, one
 * setting instead of two. An explicit {@code management.tracing.enabled} wins: this
 * source comes last, and it answers when asked, so an endpoint added after start-up's
 * first steps (a test's dynamic property) counts too.
 */
class TracingSwitch implements EnvironmentPostProcessor {

	static final String ENABLED = "management.tracing.enabled";

	static final String ENDPOINT = "management.otlp.tracing.endpoint";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new EndpointSwitch(environment));
	}

	/**
	 * Keeps the environment in a field, not as its source: Spring Boot walks into a
	 * source that is an environment, and this one is in it.
	 */
	private static final class EndpointSwitch extends EnumerablePropertySource<Object> {

		private final ConfigurableEnvironment environment;

		EndpointSwitch(ConfigurableEnvironment environment) {
			super("hubTracingSwitch", new Object());
			this.environment = environment;
		}

		@Override
		public String[] getPropertyNames() {
			return new String[] { ENABLED };
		}

		@Override
		public Object getProperty(String name) {
			return ENABLED.equals(name) ? StringUtils.hasText(this.environment.getProperty(ENDPOINT)) : null;
		}

	}

}
