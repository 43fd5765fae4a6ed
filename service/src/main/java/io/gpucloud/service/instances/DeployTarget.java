package io.gpucloud.service.instances;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.tenancy.OfferingRow;
import org.jdbi.v3.core.Handle;

/**
 * What a deploy (one instance or a batch) is for: the offering, and the account it is deployed into (the
 * caller's, or the owner of the project it names, when the caller may deploy for that account). 400
 * naming the field for an offering, template or project that does not exist or that the caller does not see.
 */
public record DeployTarget(OfferingRow offering, String accountId) {
  public static DeployTarget resolve(Handle h, Caller caller, String offeringId, String templateId, String projectId) {
    DeployRequestDao tx = h.attach(DeployRequestDao.class);
    OfferingRow offering = tx.offering(offeringId)
        .orElseThrow(() -> ApiException.badRequest("offeringId " + offeringId + " does not exist"));
    if (tx.templateExists(templateId) == 0) {
      throw ApiException.badRequest("templateId " + templateId + " does not exist");
    }
    String accountId = caller.accountId();
    if (projectId != null) {
      String owner = tx.projectAccount(projectId)
          .orElseThrow(() -> ApiException.badRequest("projectId " + projectId + " does not exist"));
      if (!owner.equals(caller.accountId()) && !Scope.read(h, caller).mayDeployFor(owner, tx.accountDomainPath(owner))) {
        throw ApiException.badRequest("projectId " + projectId + " does not exist");
      }
      accountId = owner;
    }
    return new DeployTarget(offering, accountId);
  }
}
