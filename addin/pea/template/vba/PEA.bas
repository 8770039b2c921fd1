Attribute VB_Name = "PEA"
' Botones de la pestaña PEA de la cinta (customUI14.xml).
' Cada botón ejecuta una función de Python del módulo pea.excel.bridge con
' RunPython (módulo xlwings). Antes revisa que exista el Python de PEA indicado
' en la hoja oculta xlwings.conf, para dar un mensaje claro en español.
Option Explicit

Private Const HOJA_CONFIG As String = "xlwings.conf"
Private Const CLAVE_INTERPRETE As String = "INTERPRETER_WIN"
Private Const HOJA_META As String = "PEA_meta"
Private Const CLAVE_VENTANILLA As String = "url_ventanilla"

Public Sub PEA_Validar(control As IRibbonControl)
    If Not PythonListo() Then Exit Sub
    RunPython "import pea.excel.bridge as b; b.validar()"
End Sub

Public Sub PEA_Limpiar(control As IRibbonControl)
    If Not PythonListo() Then Exit Sub
    RunPython "import pea.excel.bridge as b; b.limpiar()"
End Sub

Public Sub PEA_Diagnostico(control As IRibbonControl)
    If Not PythonListo() Then Exit Sub
    RunPython "import pea.excel.bridge as b; b.diagnostico()"
End Sub

Public Sub PEA_Ayuda(control As IRibbonControl)
    If Not PythonListo() Then Exit Sub
    RunPython "import pea.excel.bridge as b; b.ayuda()"
End Sub

' Verdadero si el intérprete configurado existe (o si no hay ruta configurada:
' entonces xlwings busca "python" en el PATH).
Private Function PythonListo() As Boolean
    Dim ruta As String
    ruta = ExpandirVariables(InterpreteConfigurado())
    PythonListo = True
    If ruta = "" Then Exit Function
    If ArchivoExiste(ruta) Then Exit Function
    PythonListo = False
    Dim mensaje As String, revisar As String
    mensaje = "No se encontró el Python de PEA en:" & vbCrLf & ruta & vbCrLf & vbCrLf & _
        "Pida al área de informática que instale el complemento PEA en este equipo " & _
        "(o que corrija la ruta INTERPRETER_WIN de la hoja oculta xlwings.conf)."
    revisar = PEA_UrlRevisar()
    If revisar = "" Then
        MsgBox mensaje, vbExclamation, "PEA: falta Python"
    ElseIf MsgBox(mensaje & vbCrLf & vbCrLf & "Mientras tanto puede revisar su plan en la " & _
            "Ventanilla del Instituto, desde el navegador:" & vbCrLf & revisar & vbCrLf & _
            vbCrLf & "¿Abrir «Revisar mi plan» ahora?", vbYesNo + vbQuestion, _
            "PEA: falta Python") = vbYes Then
        AbrirPagina revisar
    End If
End Function

' Dirección de la página «Revisar mi plan» de la Ventanilla (clave url_ventanilla de la
' hoja oculta PEA_meta, escrita por pea plantilla), o "" si no hay Ventanilla.
Public Function PEA_UrlRevisar() As String
    Dim url As String
    url = ValorDeHoja(HOJA_META, CLAVE_VENTANILLA)
    PEA_UrlRevisar = ""
    If LCase(Left(url, 7)) <> "http://" And LCase(Left(url, 8)) <> "https://" Then Exit Function
    If Right(url, 1) <> "/" Then url = url & "/"
    PEA_UrlRevisar = url & "revisar/"
End Function

' Abre la dirección en el navegador; si no se puede, la muestra para copiarla.
Private Sub AbrirPagina(ByVal url As String)
    On Error GoTo SinNavegador
    ThisWorkbook.FollowHyperlink Address:=url, NewWindow:=True
    Exit Sub
SinNavegador:
    MsgBox "No se pudo abrir el navegador. Copie esta dirección en su navegador:" & _
        vbCrLf & url, vbInformation, "PEA: Ventanilla"
End Sub

' Valor de una clave en una hoja de claves (columna A) y valores (columna B), o "".
Private Function ValorDeHoja(ByVal nombreHoja As String, ByVal clave As String) As String
    Dim hoja As Object
    Dim fila As Long
    ValorDeHoja = ""
    On Error GoTo SinHoja
    Set hoja = ThisWorkbook.Worksheets(nombreHoja)
    fila = 1
    Do While Trim(CStr(hoja.Cells(fila, 1).Value)) <> ""
        If LCase(Trim(CStr(hoja.Cells(fila, 1).Value))) = LCase(clave) Then
            ValorDeHoja = Trim(CStr(hoja.Cells(fila, 2).Value))
            Exit Function
        End If
        fila = fila + 1
    Loop
SinHoja:
End Function

' Valor de INTERPRETER_WIN en la hoja xlwings.conf (claves en A, valores en B).
Private Function InterpreteConfigurado() As String
    Dim hoja As Object
    Dim fila As Long
    InterpreteConfigurado = ""
    On Error GoTo SinHoja
    Set hoja = ThisWorkbook.Worksheets(HOJA_CONFIG)
    fila = 1
    Do While Trim(CStr(hoja.Cells(fila, 1).Value)) <> ""
        If UCase(Trim(CStr(hoja.Cells(fila, 1).Value))) = CLAVE_INTERPRETE Then
            InterpreteConfigurado = Trim(CStr(hoja.Cells(fila, 2).Value))
            Exit Function
        End If
        fila = fila + 1
    Loop
SinHoja:
End Function

' Sustituye %VARIABLE% por su valor (LOCALAPPDATA, USERPROFILE, APPDATA...).
Private Function ExpandirVariables(ByVal texto As String) As String
    Dim inicio As Long, fin As Long, nombre As String
    Dim valor As String
    inicio = InStr(1, texto, "%")
    Do While inicio > 0
        fin = InStr(inicio + 1, texto, "%")
        If fin = 0 Then Exit Do
        nombre = Mid(texto, inicio + 1, fin - inicio - 1)
        valor = Environ(nombre)
        texto = Left(texto, inicio - 1) & valor & Mid(texto, fin + 1)
        inicio = InStr(inicio + Len(valor), texto, "%")
    Loop
    ExpandirVariables = texto
End Function

Private Function ArchivoExiste(ByVal ruta As String) As Boolean
    On Error GoTo NoExiste
    ArchivoExiste = (Len(Dir(ruta)) > 0)
    Exit Function
NoExiste:
    ArchivoExiste = False
End Function
