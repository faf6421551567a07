package com.ecommerce.eventhub.ops;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.web.RequestBodyAllowance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The operations endpoints that take a body (dead-letter replay and discard filters), up
 * to {@code hub.ops.max-body-size}.
 */
@Configuration(proxyBeanMethods = false)
class OpsWebConfiguration {

	@Bean
	RequestBodyAllowance deadLetterOperationsBody(OpsProperties ops) {
		return new RequestBodyAllowance("POST", "/api/v1/dead-letters/", true, ops.maxBodySize().toBytes());
	}

}
