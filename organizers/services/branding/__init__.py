"""The organiser's branding: logo, main colour, welcome text, FAQ and contact. Tenant schema.

Everything an organiser types or uploads here ends up on public pages and in emails, so it is
checked on the way in and stored in a form that cannot carry anything else.

- `colours`: the main colour as #rrggbb, its contrast checks (WCAG 2.1 AA) and the colours
  derived from it (`brand_colours`).
- `logo`: an uploaded logo checked by its content and re-encoded as a PNG (`logo_prepare`);
  the stored logo read back (`logo_content_get`, `logo_version`).
- `editing`: what the organiser edits: every detail checked (`branding_draft`), saved
  (`branding_update`) and previewed unsaved (`branding_view_from_draft`).
- `display`: what pages and emails show: `BrandingView`, cached per tenant
  (`branding_view_get`, `branding_cache_clear`), and `branding_for_email`.
- `errors`: `BrandingError`, a refused detail with the form field it belongs to.
"""
