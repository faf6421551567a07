package com.ecommerce.eventhub.tracing;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class TracingSwitchTest {

	@Test
	void tracingIsOffWithoutAnEndpoint() {
		assertThat(switched(Map.of()).getProperty(TracingSwitch.ENABLED, Boolean.class)).isFalse();
	}

	@Test
	void anEndpointTurnsItOnEvenWhenItIsSetAfterStartUpsFirstSteps() {
		StandardEnvironment environment = switched(Map.of());
		environment.getPropertySources()
			.addFirst(new MapPropertySource("late", Map.of(TracingSwitch.ENDPOINT, "http://collector:4318/v1/traces")));
		assertThat(environment.getProperty(TracingSwitch.ENABLED, Boolean.class)).isTrue();
	}

	@Test
	void anExplicitSettingWins() {
		assertThat(switched(
				Map.of(TracingSwitch.ENDPOINT, "http://collector:4318/v1/traces", TracingSwitch.ENABLED, "false"))
			.getProperty(TracingSwitch.ENABLED, Boolean.class)).isFalse();
	}

	private static StandardEnvironment switched(Map<String, Object> settings) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("settings", settings));
		new TracingSwitch().postProcessEnvironment(environment, new SpringApplication());
		return environment;
	}

}
