package com.ecommerce.eventhub.tracing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Camel's platform-http runs each request's route on Spring Boot's task executor, not on
 * the servlet thread the request's span is in scope on: the executor's tasks take the
 * submitting thread's trace context with them, so the outbox row an ingestion request
 * writes continues the request's trace.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	@Bean
	TaskDecorator traceContextPropagation() {
		return new ContextPropagatingTaskDecorator();
	}

}
