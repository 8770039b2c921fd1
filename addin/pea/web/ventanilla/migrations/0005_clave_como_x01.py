"""La clave de cada dependencia, recalculada con la de PEA-X01 (sin caracteres invisibles)."""

from django.db import migrations


def recompute(apps, schema_editor):  # type: ignore[no-untyped-def]
    from pea.textnorm import dependencia_key

    Dependencia = apps.get_model("ventanilla", "Dependencia")
    for dep in Dependencia.objects.all():
        clave = dependencia_key(dep.nombre)
        if clave != dep.clave:
            Dependencia.objects.filter(pk=dep.pk).update(clave=clave)


class Migration(migrations.Migration):
    dependencies = [("ventanilla", "0004_acciones_de_revision")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
