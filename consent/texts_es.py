"""The consent text for dry needling in Spanish: a ConsentVersion in language "es", seeded with the English.

Same sections, same risk table (same order, same figures) as consent/demo.py, written in plain Spanish
(usted). A clinic edits it as a new ConsentVersion in the admin, like the English one.
"""

from __future__ import annotations

from datetime import date

from consent.models import ConsentVersion

TITLE_ES = "Consentimiento para la punción seca"

BODY_ES = """\
## Qué es la punción seca
La punción seca es un tratamiento en el que su fisioterapeuta pone agujas muy finas y macizas a través de la
piel, en un músculo tenso o dolorido. No se inyecta nada: la aguja es maciza y no lleva medicamento. No es
acupuntura. Se basa en cómo funcionan los músculos y los nervios, no en líneas de energía.

## Por qué se la ofrecemos
Su fisioterapeuta cree que la punción seca puede ayudar con el dolor o la tensión que nos contó. Suele ser
una parte de un plan que también incluye ejercicio y otros tratamientos con las manos. Este formulario trata
sobre usted y el tratamiento planeado para usted.

## Qué pasa en una sesión
Su fisioterapeuta revisa la zona y le explica lo que piensa hacer. Usted se sienta o se acuesta en una postura
cómoda. Es mejor estar acostado si alguna vez se mareó o se desmayó con agujas. Se limpia la piel y se ponen
una o más agujas. Cada aguja se queda puesta desde unos segundos hasta varios minutos. Después, las agujas van
directo a un contenedor especial y nunca se vuelven a usar.

## Qué se siente
Puede sentir un pequeño pinchazo cuando entra la aguja. En el músculo puede sentir un dolor profundo, o un
salto o una contracción rápida del músculo. Esto es normal. Dígale a su fisioterapeuta en cualquier momento
si es demasiado, y cambiará lo que está haciendo o parará.

## Después
La zona puede sentirse dolorida, pesada o cansada, un poco como después de mucho ejercicio. Esto suele bajar
en uno o dos días y casi siempre se va en tres. Puede ver un pequeño moretón o una gota de sangre. Su clínica
le dará consejos para después y le preguntará cómo se encuentra.

## Cómo puede ayudarle
Muchas personas tienen menos dolor y se mueven mejor después de la punción seca. Algunas se sienten mejor
enseguida, otras después de unas sesiones, y algunas no notan cambios. No podemos prometer que le funcione.

## Riesgos posibles
La mayoría de los efectos secundarios son leves y cortos. La tabla de abajo muestra con qué frecuencia pasa
cada uno, por tratamiento. Un pulmón colapsado (neumotórax) es muy raro y solo puede pasar cuando se ponen
agujas sobre la pared del pecho, la parte alta de la espalda, el cuello o el hombro. Sus señales pueden
empezar hasta un día después: si le falta el aire, tiene dolor en el pecho o una tos seca después del
tratamiento, llame enseguida a emergencias.

## Otras opciones
No tiene que hacerse punción seca. Otras opciones son el ejercicio, la terapia con las manos como el masaje o
la movilización de las articulaciones, otros tratamientos como el calor, los vendajes o la estimulación
eléctrica, o ningún tratamiento. Su fisioterapeuta puede hablar con usted de cada opción.

## Su decisión, en cualquier momento
Decir que sí es su decisión. Puede decir que no, hacer preguntas o cambiar de opinión en cualquier momento,
incluso a mitad de una sesión. Decir que no o parar no cambia el resto de su atención. Puede retirar este
consentimiento con su enlace o diciéndoselo a la clínica.

## Hablarlo con su fisioterapeuta
Firmar este formulario no es todo su consentimiento. Antes de la primera aguja, su fisioterapeuta (su nombre
aparece en este formulario) lo repasará con usted y responderá sus preguntas. Después anotará en el portal
que tuvieron esta conversación.

## Cuánto dura este consentimiento
Este consentimiento cubre una serie de sesiones de punción seca en esta clínica. Dura hasta que usted lo
retire, o hasta que la clínica cambie este texto; entonces le pediremos que lea y firme la nueva versión.

## Su copia
Puede descargar una copia de este formulario firmado enseguida. Si tenemos su correo electrónico, también le
enviamos una copia. Puede pedir a la clínica una copia en papel cuando quiera, sin costo.

## Menores de 18 años
Para un menor de 18 años, firma este formulario su padre, madre o tutor legal, y dice qué parentesco tiene.
El menor participa en la conversación con el fisioterapeuta y puede hacer sus propias preguntas.
"""

RISKS_ES = [
    {
        "name": "Cualquier efecto secundario leve (por ejemplo dolor, un moretón o un poco de sangrado)",
        "frequency": "Común: entre 2 y 4 de cada 10 tratamientos",
    },
    {
        "name": "Dolor después del tratamiento",
        "frequency": "Muy común; suele bajar en 1 o 2 días y casi siempre se va en 3",
    },
    {"name": "Moretones", "frequency": "Unos 8 de cada 100 tratamientos"},
    {
        "name": "Sangrado donde entró una aguja (normalmente una gota pequeña)",
        "frequency": "Entre 5 y 16 de cada 100 tratamientos",
    },
    {"name": "Dolor durante el tratamiento", "frequency": "Entre 3 y 6 de cada 100 tratamientos"},
    {
        "name": "Sus síntomas de siempre empeoran por un tiempo corto",
        "frequency": "Menos de 1 a 3 de cada 100 tratamientos",
    },
    {
        "name": "Sueño, dolor de cabeza o náuseas",
        "frequency": "Mucho menos de 1 de cada 100 tratamientos, cada uno",
    },
    {
        "name": "Desmayo o sensación de desmayo",
        "frequency": "Alrededor de 1 de cada 100 en una primera sesión sentado; mucho menos después y acostado",
    },
    {"name": "Un problema grave de cualquier tipo", "frequency": "Menos de 1 de cada 1.000 tratamientos"},
    {
        "name": (
            "Pulmón colapsado (neumotórax), solo al poner agujas sobre la pared del pecho, "
            "la parte alta de la espalda, el cuello o el hombro"
        ),
        "frequency": "Alrededor de 1 en un millón de tratamientos; las señales pueden empezar hasta un día después",
    },
    {
        "name": "Una aguja rota, una infección o una lesión de un nervio",
        "frequency": "Muy raro: solo se conocen casos aislados",
    },
]


def seed_version_es() -> ConsentVersion:
    """Idempotent: the clinic's active Spanish consent text for dry needling."""
    existing = ConsentVersion.objects.filter(key="dry-needling", language="es").order_by("-version").first()
    if existing is not None:
        return existing
    return ConsentVersion.objects.create(
        key="dry-needling",
        version=1,
        language="es",
        title=TITLE_ES,
        body=BODY_ES,
        risks=RISKS_ES,
        effective_date=date(2026, 1, 1),
        is_active=True,
    )
