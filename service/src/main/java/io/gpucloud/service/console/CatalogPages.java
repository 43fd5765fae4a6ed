package io.gpucloud.service.console;

import io.gpucloud.service.inventory.CardService;
import io.gpucloud.service.tenancy.OfferingRequest;
import io.gpucloud.service.tenancy.OfferingService;
import io.gpucloud.service.tenancy.TemplateRequest;
import io.gpucloud.service.tenancy.TemplateService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Offerings (every role reads them; an Admin adds them with the talk's form) and templates. */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class CatalogPages extends ConsolePages {
  private final OfferingService offerings;
  private final TemplateService templates;
  private final CardService cards;

  public CatalogPages(OfferingService offerings, TemplateService templates, CardService cards) {
    this.offerings = offerings;
    this.templates = templates;
    this.cards = cards;
  }

  @GET
  @Path("/offerings")
  public Response offerings(@Context ContainerRequestContext ctx, @QueryParam("name") String name,
      @QueryParam("msg") String msg, @QueryParam("err") String err) {
    boolean admin = caller(ctx).isAdmin();
    return page(ctx, "offerings", "Offerings", msg, err, () -> data(
        "offerings", offerings.list(null, blankToNull(name)), "name", name,
        "cards", admin ? cards.list(null, null, null) : List.of()));
  }

  @POST
  @Path("/offerings")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createOffering(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("description") String description, @FormParam("cpuCores") String cpuCores,
      @FormParam("cpuSpeedMhz") String cpuSpeedMhz, @FormParam("memoryMb") String memoryMb,
      @FormParam("vgpuProfileId") String profileId, @FormParam("gpuCount") String gpuCount,
      @FormParam("gpuDisplay") String gpuDisplay, @FormParam("numaPolicy") String numaPolicy) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/offerings", () -> {
      String profile = blankToNull(profileId);
      return "Offering " + offerings.create(new OfferingRequest(name, blankToNull(description), intOrNull(cpuCores),
          intOrNull(cpuSpeedMhz), longOrNull(memoryMb), profile, profile == null ? null : intOrNull(gpuCount),
          profile == null ? null : gpuDisplay != null, blankToNull(numaPolicy))).name() + " added";
    });
  }

  @POST
  @Path("/offerings/{id}/delete")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deleteOffering(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/offerings", () -> {
      offerings.delete(id);
      return "Offering deleted";
    });
  }

  @GET
  @Path("/templates")
  public Response templates(@Context ContainerRequestContext ctx, @QueryParam("msg") String msg,
      @QueryParam("err") String err) {
    return page(ctx, "templates", "Templates", msg, err, () -> data("templates", templates.list(null)));
  }

  @POST
  @Path("/templates")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createTemplate(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("osType") String osType, @FormParam("rootDiskGb") String rootDiskGb,
      @FormParam("imagePath") String imagePath) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/templates", () -> "Template " + templates.create(new TemplateRequest(name,
        blankToNull(osType), longOrNull(rootDiskGb), blankToNull(imagePath))).name() + " added");
  }

  @POST
  @Path("/templates/{id}/delete")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deleteTemplate(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/templates", () -> {
      templates.delete(id);
      return "Template deleted";
    });
  }
}
