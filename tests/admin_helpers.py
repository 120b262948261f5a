"""Build admin POST data from the form the admin itself rendered, so tests
submit exactly what a browser would."""


def admin_form_data(response, **overrides):
    data = {}
    adminform = response.context["adminform"].form
    for name, field in adminform.fields.items():
        value = adminform.initial.get(name, field.initial)
        if value is not None:
            data[name] = _serialise(value)
    # A page without inlines (simple-history's restore form) has none.
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None and value != "":
                    data[form.add_prefix(name)] = _serialise(value)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _serialise(value):
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def inline_prefix(response, model_admin_inline_name):
    for inline in response.context["inline_admin_formsets"]:
        if type(inline.opts).__name__ == model_admin_inline_name:
            return inline.formset.prefix
    raise LookupError(model_admin_inline_name)
