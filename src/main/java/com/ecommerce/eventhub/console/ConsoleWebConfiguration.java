package com.ecommerce.eventhub.console;

import com.ecommerce.eventhub.config.ConsoleProperties;
import com.ecommerce.eventhub.web.RequestBodyAllowance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The console's forms are the only HTML forms the hub takes: posted to
 * {@code /console/...} as {@code application/x-www-form-urlencoded}, each body up to
 * {@code hub.console.max-body-size} (a selection of dead letters is the largest).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleWebConfiguration {

	@Bean
	RequestBodyAllowance consoleForms(ConsoleProperties console) {
		return new RequestBodyAllowance("POST", "/console/", true, console.maxBodySize().toBytes(), true);
	}

}
